package custody

import "strings"

// iso3166 lists the ISO 3166-1 alpha-3 codes of countries and territories, followed by
// the codes ICAO Doc 9303 reserves for persons without a nationality to state:
// XXA stateless, XXB refugee (1951 Convention), XXC other refugee, XXX unspecified.
const iso3166 = `AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB
BLR BEL BLZ BEN BMU BTN BOL BES BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF
TCD CHL CHN CXR CCK COL COM COG COD COK CRI CIV HRV CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY
SLV GNQ ERI EST SWZ ETH FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO DEU GHA GIB GRC GRL GRD
GLP GUM GTM GGY GIN GNB GUY HTI HMD VAT HND HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR ITA JAM
JPN JEY JOR KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC MDG MWI MYS
MDV MLI MLT MHL MTQ MRT MUS MYT MEX FSM MDA MCO MNG MNE MSR MAR MOZ MMR NAM NRU NPL NLD NCL
NZL NIC NER NGA NIU NFK MKD MNP NOR OMN PAK PLW PSE PAN PNG PRY PER PHL PCN POL PRT PRI QAT
REU ROU RUS RWA BLM SHN KNA LCA MAF SPM VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SXM SVK SVN
SLB SOM ZAF SGS SSD ESP LKA SDN SUR SJM SWE CHE SYR TWN TJK TZA THA TLS TGO TKL TON TTO TUN
TUR TKM TCA TUV UGA UKR ARE GBR USA UMI URY UZB VUT VEN VNM VGB VIR WLF ESH YEM ZMB ZWE
XXA XXB XXC XXX`

var countries = func() map[string]bool {
	m := make(map[string]bool, 260)
	for _, c := range strings.Fields(iso3166) {
		m[c] = true
	}
	return m
}()

// IsCountry reports whether code is an ISO 3166-1 alpha-3 code (or one of ICAO's
// XXA, XXB, XXC, XXX).
func IsCountry(code string) bool { return countries[code] }

func validCountry(field, code string) error {
	if code == "" {
		return Errorf(Invalid, field, "is required (an ISO 3166-1 alpha-3 code such as IRQ)")
	}
	if !countries[code] {
		return Errorf(Invalid, field, "%q is not an ISO 3166-1 alpha-3 code", code)
	}
	return nil
}
