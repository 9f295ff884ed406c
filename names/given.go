package names

import "strings"

// givenTable lists common given names: a canonical romanization (ALA-LC without
// diacritics), the Arabic spellings, and the Latin spellings met in documents (UN and
// BGN/PCGN romanization, English and French administrative spelling, Levantine,
// Iraqi, Gulf and Maghrebi pronunciations, Turkish forms). It decides between names
// whose consonants coincide (Hasan and Husayn, Muhammad and Mahmud, Umar and Amr):
// when both words are found here under different entries they are different names.
// The list is ours, compiled from the naming conventions cited in docs/names.md.
const givenTable = `
muhammad: محمد | muhammad mohammed mohamed mohamad mohammad muhammed mouhamad mouhammad mohamet mehmet mohd muhamad mohamd mohammed mohamud mohammod mouhamed muhamed mohammadou
mahmud: محمود | mahmoud mahmud mahmood mehmood mahmut mahmod
ahmad: احمد | ahmed ahmad ehmed ahmet achmed achmad ahmd
hamid: حامد | hamed hamid haamid
hamad: حمد | hamad
hamdi: حمدي | hamdi hamdy
hasan: حسن | hasan hassan hasen hassen hacen hasane
husayn: حسين | hussein husein husayn hussain husain hussien houssein hocine hossein huseyin husin hossain husseyn
umar: عمر | omar umar omer oumar omar
amr: عمرو | amr amro amrou amru
ali: علي | ali aly alee
alaa: علاء | alaa ala alae alaa
said: سعيد | said saeed saied saiid saeid saied
saad: سعد | saad saad saadi
saud: سعود | saud saoud
khalid: خالد | khalid khaled khaleed halid
khalil: خليل | khalil khaleel halil
yusuf: يوسف | yusuf yousef youssef yousif yusif yousuf yousaf yusef youcef
ibrahim: ابراهيم | ibrahim ebrahim brahim ibraheem ibrahem ibrahima
ismail: اسماعيل | ismail ismael esmail ismaeel ismaiel smail ismaail
mustafa: مصطفي | mustafa mostafa moustafa mustapha moustapha mostapha mustafaa
abbas: عباس | abbas abass abas
jamal: جمال | jamal gamal djamel jamel djamal
karim: كريم | karim kareem kerim
nasir: ناصر | nasser naser nasir nassir nacer
nasr: نصر | nasr
samir: سمير | samir sameer
sami: سامي | sami samy
walid: وليد | walid waleed oualid
tariq: طارق | tariq tarek tareq tarik tarik
ziyad: زياد | ziad ziyad zyad ziyaad
faysal: فيصل | faisal faysal feisal faycal
majid: ماجد | majid majed maajid
rashid: راشد | rashid rashed rachid
fadi: فادي | fadi fady
rami: رامي | rami ramy
hani: هاني | hani hany
bilal: بلال | bilal belal
anas: انس | anas
hamza: حمزه | hamza hamzah hamzeh
yasin: ياسين | yasin yassin yaseen yacine yassine
yasir: ياسر | yasir yaser yasser
ammar: عمار | ammar amar
uthman: عثمان | uthman othman osman usman outhman
jasim: جاسم | jasim jassim jassem jasem
qasim: قاسم | qasim kassem kasim qassim qassem kacem
hashim: هاشم | hashim hashem hachem
hisham: هشام | hisham hesham hicham
haytham: هيثم | haitham haytham heitham haisam haithem
mundhir: منذر | mundhir munther monzer munzir mondher munzer
hudhayfa: حذيفه | hudhayfa huthaifa houzaifa hudaifa huzaifa hudhaifa
adnan: عدنان | adnan
imad: عماد | imad emad
iyad: اياد | iyad eyad
ayman: ايمن | ayman aymen eiman
ayyub: ايوب | ayyub ayoub ayub eyup
idris: ادريس | idris idriss driss edris
jafar: جعفر | jafar jaafar jafer
jalal: جلال | jalal djalal
kamal: كمال | kamal kemal
kamil: كامل | kamil kamel
mahdi: مهدي | mahdi mehdi
marwan: مروان | marwan
muadh: معاذ | muadh muath moaz moath muaz
munir: منير | munir mounir
murad: مراد | murad mourad
musa: موسي | musa moussa mousa moosa
nabil: نبيل | nabil nabeel
nadir: نادر | nadir nader
naji: ناجي | naji nagi
nizar: نزار | nizar nezar
qays: قيس | qais qays kais
ridwan: رضوان | ridwan radwan redouane
riyad: رياض | riyad riad riyadh
sayf: سيف | saif sayf seif
salah: صلاح | salah salah
salih: صالح | saleh salih
shadi: شادي | shadi chadi
sharif: شريف | sharif cherif sherif
sulayman: سليمان | suleiman sulaiman slimane soliman sleiman sulayman suleyman
taha: طه | taha
talal: طلال | talal
tawfiq: توفيق | tawfiq toufik tawfik taufik
wail: وائل | wael wail
yahya: يحيي | yahya yehia yahia yehya
yaqub: يعقوب | yacoub yaqub yakub yaacoub
yunus: يونس | younes yunus younis younus
zakariya: زكريا | zakaria zakariya zakariyya zakarya zacharia
zayd: زيد | zaid zayd zeid
badr: بدر | badr bader
bashir: بشير | bashir bachir basheer
bassam: بسام | bassam basam
faris: فارس | fares faris
fawzi: فوزي | fawzi fawzy fouzi
firas: فراس | firas feras
ghassan: غسان | ghassan ghasan
habib: حبيب | habib habeeb
haydar: حيدر | haidar haider hayder
hamdan: حمدان | hamdan
jihad: جهاد | jihad jehad
luay: لؤي | luay louay loay
mazin: مازن | mazen mazin
muhannad: مهند | muhannad mohanad mohannad
mansur: منصور | mansour mansur
nawaf: نواف | nawaf
usama: اسامه | osama usama oussama usamah ousama
rabi: ربيع | rabie rabi rabih
sultan: سلطان | sultan soltan
tamir: تامر | tamer tamir
wisam: وسام | wissam wisam wesam
yazan: يزن | yazan
zuhayr: زهير | zuhair zuhayr zouhair zoheir
fatima: فاطمه | fatima fatma fatimah fatmeh fatemeh fatime
aisha: عائشه | aisha aicha ayesha aysha aishah aichah
khadija: خديجه | khadija khadidja khadeeja khadijah
maryam: مريم | maryam mariam meriem miriam mariem maryem
zaynab: زينب | zainab zaynab zeinab zineb
amina: امينه | amina aminah amineh
amna: امنه | amna amneh
layla: ليلي | layla leila laila leyla leïla
nur: نور | nour nur noor
huda: هدي | huda houda hoda
hanan: حنان | hanan
rania: رانيا | rania ranya
samira: سميره | samira sameera
salma: سلمي | salma selma
sara: ساره | sara sarah
asma: اسماء | asma asmaa esma
rim: ريم | reem rim
rana: رنا | rana
hiba: هبه | hiba heba
iman: ايمان | iman eman imane
jamila: جميله | jamila djamila jamilah
khawla: خوله | khawla khaoula khola khawlah
mona: مني | mona muna mouna
nadia: ناديه | nadia nadiya
najwa: نجوي | najwa najoua
ruqayya: رقيه | ruqayya roqaya rokaya ruqaya ruqayyah
safiya: صفيه | safiya safia safiyya
sumayya: سميه | sumaya soumaya somaya sumayya sumayyah
yasmin: ياسمين | yasmin yasmine jasmin
zahra: زهراء | zahra zahraa
hafsa: حفصه | hafsa hafsah
ghada: غاده | ghada rhada
abir: عبير | abeer abir
hind: هند | hind
bushra: بشري | bushra boushra
`

// givenIndex maps a normalised spelling, in either script, to its canonical name.
var givenIndex = func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(givenTable, "\n") {
		canon, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		ar, la, _ := strings.Cut(rest, "|")
		for _, w := range strings.Fields(ar + " " + la) {
			m[Normalize(w)] = strings.TrimSpace(canon)
		}
	}
	return m
}()

// Canonical returns the canonical romanization of a given name written in either
// script (Mohammed, محمد → muhammad), and false when the table does not know it.
func Canonical(word string) (string, bool) {
	c, ok := givenIndex[Normalize(word)]
	return c, ok
}

// givenEntries lists each canonical name's normalised spellings, for tests.
func givenEntries() map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(givenTable, "\n") {
		canon, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		ar, la, _ := strings.Cut(rest, "|")
		for _, w := range strings.Fields(ar + " " + la) {
			m[canon] = append(m[canon], Normalize(w))
		}
	}
	return m
}
