package scenario

// nation is a nationality in the demo world: how often it occurs among detainees
// (per mille) and places its people come from.
type nation struct {
	code   string
	weight int
	places []string
}

// nations lists the 40 nationalities of the demo world. Iraqis and Syrians are the
// two largest groups, as in the public reporting of the real operation.
var nations = []nation{
	{"IRQ", 450, []string{"Mosul, Nineveh, Iraq", "Tal Afar, Nineveh, Iraq", "Fallujah, Anbar, Iraq", "Ramadi, Anbar, Iraq", "al-Qaim, Anbar, Iraq", "Baiji, Salah al-Din, Iraq", "Hawija, Kirkuk, Iraq", "Baghdad, Iraq", "Kirkuk, Iraq", "Baqubah, Diyala, Iraq"}},
	{"SYR", 250, []string{"Raqqa, Syria", "Deir ez-Zor, Syria", "al-Mayadin, Deir ez-Zor, Syria", "Albu Kamal, Deir ez-Zor, Syria", "Hajin, Deir ez-Zor, Syria", "Tabqa, Raqqa, Syria", "Aleppo, Syria", "Homs, Syria", "Idlib, Syria", "Hasakah, Syria", "Manbij, Aleppo, Syria"}},
	{"TUN", 25, []string{"Tunis, Tunisia", "Sfax, Tunisia", "Ben Gardane, Tunisia", "Bizerte, Tunisia"}},
	{"MAR", 20, []string{"Casablanca, Morocco", "Tangier, Morocco", "Fez, Morocco", "Tetouan, Morocco"}},
	{"EGY", 18, []string{"Cairo, Egypt", "Alexandria, Egypt", "Asyut, Egypt"}},
	{"SAU", 18, []string{"Riyadh, Saudi Arabia", "Jeddah, Saudi Arabia", "Buraydah, Saudi Arabia"}},
	{"JOR", 16, []string{"Amman, Jordan", "Zarqa, Jordan", "Irbid, Jordan", "Ma'an, Jordan"}},
	{"TUR", 16, []string{"Gaziantep, Turkey", "Sanliurfa, Turkey", "Istanbul, Turkey", "Adana, Turkey"}},
	{"RUS", 15, []string{"Makhachkala, Dagestan, Russia", "Grozny, Chechnya, Russia", "Nalchik, Russia", "Kazan, Russia"}},
	{"FRA", 14, []string{"Paris, France", "Lyon, France", "Marseille, France", "Toulouse, France", "Nice, France"}},
	{"DEU", 12, []string{"Berlin, Germany", "Hamburg, Germany", "Frankfurt am Main, Germany", "Bonn, Germany"}},
	{"GBR", 10, []string{"London, United Kingdom", "Birmingham, United Kingdom", "Manchester, United Kingdom", "Cardiff, United Kingdom"}},
	{"BEL", 8, []string{"Brussels, Belgium", "Antwerp, Belgium", "Liege, Belgium"}},
	{"NLD", 8, []string{"Amsterdam, Netherlands", "Rotterdam, Netherlands", "The Hague, Netherlands"}},
	{"DZA", 10, []string{"Algiers, Algeria", "Oran, Algeria", "Constantine, Algeria"}},
	{"LBY", 8, []string{"Tripoli, Libya", "Benghazi, Libya", "Derna, Libya"}},
	{"LBN", 8, []string{"Tripoli, Lebanon", "Sidon, Lebanon", "Beirut, Lebanon"}},
	{"YEM", 8, []string{"Sanaa, Yemen", "Aden, Yemen", "Taiz, Yemen"}},
	{"KAZ", 8, []string{"Almaty, Kazakhstan", "Shymkent, Kazakhstan", "Atyrau, Kazakhstan"}},
	{"UZB", 10, []string{"Tashkent, Uzbekistan", "Namangan, Uzbekistan", "Andijan, Uzbekistan"}},
	{"TJK", 8, []string{"Dushanbe, Tajikistan", "Khujand, Tajikistan"}},
	{"AZE", 6, []string{"Baku, Azerbaijan", "Sumqayit, Azerbaijan"}},
	{"SWE", 5, []string{"Stockholm, Sweden", "Gothenburg, Sweden", "Malmo, Sweden"}},
	{"AUT", 4, []string{"Vienna, Austria", "Graz, Austria"}},
	{"DNK", 3, []string{"Copenhagen, Denmark", "Aarhus, Denmark"}},
	{"ITA", 4, []string{"Milan, Italy", "Rome, Italy", "Turin, Italy"}},
	{"ESP", 3, []string{"Ceuta, Spain", "Barcelona, Spain", "Madrid, Spain"}},
	{"IDN", 8, []string{"Jakarta, Indonesia", "Surabaya, Indonesia", "Medan, Indonesia"}},
	{"MYS", 4, []string{"Kuala Lumpur, Malaysia", "Johor Bahru, Malaysia"}},
	{"PAK", 5, []string{"Karachi, Pakistan", "Lahore, Pakistan", "Peshawar, Pakistan"}},
	{"AFG", 4, []string{"Kabul, Afghanistan", "Jalalabad, Afghanistan"}},
	{"SDN", 5, []string{"Khartoum, Sudan", "Omdurman, Sudan"}},
	{"SOM", 4, []string{"Mogadishu, Somalia", "Kismayo, Somalia"}},
	{"KWT", 4, []string{"Kuwait City, Kuwait", "al-Jahra, Kuwait"}},
	{"PSE", 6, []string{"Gaza, Palestine", "Nablus, Palestine", "Hebron, Palestine"}},
	{"GEO", 3, []string{"Pankisi Gorge, Georgia", "Tbilisi, Georgia"}},
	{"CHN", 5, []string{"Kashgar, China", "Urumqi, China", "Hotan, China"}},
	{"USA", 2, []string{"Minneapolis, United States", "Houston, United States"}},
	{"CAN", 2, []string{"Toronto, Canada", "Calgary, Canada"}},
	{"AUS", 2, []string{"Sydney, Australia", "Melbourne, Australia"}},
}

// nationWeights holds the weights of nations among detainees and in the camp, where
// Syrians are more numerous and foreigners fewer.
var nationWeights, campWeights = func() ([]int, []int) {
	d, c := make([]int, len(nations)), make([]int, len(nations))
	for i, n := range nations {
		d[i], c[i] = n.weight, n.weight
	}
	c[0], c[1] = 420, 380
	return d, c
}()

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

var detaineeTotal, campTotal = sum(nationWeights), sum(campWeights)

// nation draws a nationality, from the camp's distribution when camp is true.
func (g *gen) nation(camp bool) *nation {
	if camp {
		return &nations[g.weighted(campWeights, campTotal)]
	}
	return &nations[g.weighted(nationWeights, detaineeTotal)]
}
