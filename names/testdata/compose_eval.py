#!/usr/bin/env python3
"""Compose names/testdata/eval.tsv: labelled person pairs for the names evaluation.

Every person is an invented composition of common name parts (given name, father's
name, family name or nisba); no pair describes a real person. The Latin spellings come
from the conventions documented in docs/names.md, applied by the rules below, and the
given-name spellings listed here are deliberately wider than the matcher's own table
(names/given.go) so that the evaluation does not test the table against itself.

Run: python3 names/testdata/compose_eval.py > names/testdata/eval.tsv
"""
import random

R = random.Random(20261203)

# Arabic given names and Latin spellings met for them (UN/BGN-PCGN, ALA-LC without
# marks, English press, French administrative, Levantine/Iraqi/Gulf/Maghrebi usage).
MALE = [
    ("محمد", ["Muhammad", "Mohammed", "Mohamed", "Mohamad", "Mouhammad", "Muhammed", "Mohammad", "Mhammad", "Muhamad", "Mohamet"]),
    ("أحمد", ["Ahmad", "Ahmed", "Ehmed", "Ahmet", "Achmad"]),
    ("علي", ["Ali", "Aly", "'Ali", "Alee"]),
    ("حسن", ["Hasan", "Hassan", "Hassen", "Hacen", "Hasen"]),
    ("حسين", ["Hussein", "Husayn", "Hussain", "Houssein", "Hocine", "Husein", "Hossein", "Husain"]),
    ("عمر", ["Omar", "Umar", "Omer", "Oumar", "'Umar"]),
    ("خالد", ["Khalid", "Khaled", "Khaleed", "Chaled"]),
    ("يوسف", ["Yusuf", "Youssef", "Yousef", "Yousif", "Youcef", "Yusef", "Yossef"]),
    ("إبراهيم", ["Ibrahim", "Ebrahim", "Brahim", "Ibraheem", "Ibrahem"]),
    ("عبد الله", ["Abdullah", "Abdallah", "Abd Allah", "Abdulla", "Abd-Allah", "Abdellah", "Abdalla"]),
    ("عبد الرحمن", ["Abd al-Rahman", "Abdulrahman", "Abdel Rahman", "Abdurrahman", "Abderrahmane", "Abdul Rahman", "Abdelrahman", "Abd ar-Rahman"]),
    ("عبد العزيز", ["Abd al-Aziz", "Abdulaziz", "Abdelaziz", "Abdul Aziz", "Abdel-Aziz", "Abdelaaziz"]),
    ("عبد القادر", ["Abd al-Qadir", "Abdelkader", "Abdulkadir", "Abdul Qader", "Abdel Kader", "Abdulqadir"]),
    ("مصطفى", ["Mustafa", "Mostafa", "Moustafa", "Mustapha", "Moustapha", "Mostapha"]),
    ("سامي", ["Sami", "Samy", "Sammy", "Samee"]),
    ("محمود", ["Mahmoud", "Mahmud", "Mahmood", "Mahmut", "Mehmoud"]),
    ("صالح", ["Salih", "Saleh", "Saalih", "Salah"]),
    ("سعيد", ["Said", "Saeed", "Sa'id", "Saied", "Saïd"]),
    ("جاسم", ["Jasim", "Jassim", "Jassem", "Jasem", "Gassim"]),
    ("حمزة", ["Hamza", "Hamzah", "Hamzeh", "Hamze"]),
    ("أسامة", ["Usama", "Osama", "Oussama", "Usamah", "Ousama"]),
    ("نور الدين", ["Nur al-Din", "Nureddine", "Nour Eddine", "Nuruddin", "Noureddine", "Nour al-Din", "Nour El Din"]),
    ("صلاح الدين", ["Salah al-Din", "Salaheddine", "Salahuddin", "Salah Eddine", "Salah ad-Din"]),
    ("طارق", ["Tariq", "Tarek", "Tareq", "Tarik"]),
    ("زياد", ["Ziyad", "Ziad", "Zyad", "Ziyaad"]),
    ("بلال", ["Bilal", "Belal", "Bilel"]),
    ("ياسر", ["Yasir", "Yasser", "Yaser", "Iasser"]),
    ("هيثم", ["Haytham", "Haitham", "Heitham", "Haithem", "Haysam"]),
    ("قاسم", ["Qasim", "Kassem", "Kasim", "Qassim", "Gasim", "Qassem"]),
    ("عثمان", ["Uthman", "Othman", "Osman", "Usman", "Outhmane"]),
    ("إسماعيل", ["Ismail", "Isma'il", "Ismael", "Esmail", "Smail", "Ismaeel"]),
    ("عمار", ["Ammar", "'Ammar", "Amar"]),
    ("فراس", ["Firas", "Feras", "Phiras"]),
    ("مهند", ["Muhannad", "Mohanad", "Mohannad", "Mouhanad"]),
    ("معاذ", ["Mu'adh", "Muath", "Moaz", "Moadh", "Mouaz"]),
    ("حذيفة", ["Hudhayfa", "Huthaifa", "Houzaifa", "Hudaifa", "Huzaifa"]),
    ("ضياء", ["Diya", "Dhiaa", "Diaa", "Dia", "Ziya"]),
    ("ظافر", ["Zafir", "Dhafer", "Thafer", "Zafer", "Dhafir"]),
    ("غسان", ["Ghassan", "Ghasan", "Rhassan"]),
    ("ثامر", ["Thamir", "Thamer", "Tamer", "Samer"]),
    ("وليد", ["Walid", "Waleed", "Oualid", "Walied"]),
    ("فيصل", ["Faysal", "Faisal", "Feisal", "Fayçal"]),
    ("شاكر", ["Shakir", "Shaker", "Chaker", "Chakir"]),
    ("جمال", ["Jamal", "Gamal", "Djamel", "Jamel"]),
    ("رشيد", ["Rashid", "Rachid", "Rasheed", "Rached"]),
    ("منذر", ["Mundhir", "Munther", "Monzer", "Mondher"]),
    ("عدنان", ["Adnan", "'Adnan", "Adnane"]),
    ("إياد", ["Iyad", "Eyad", "Iyadh", "Ayad"]),
    ("زكريا", ["Zakariya", "Zakaria", "Zakariyya", "Zacharia", "Zakarya"]),
    ("يحيى", ["Yahya", "Yehia", "Yahia", "Yehya"]),
]
FEMALE = [
    ("فاطمة", ["Fatima", "Fatma", "Fatimah", "Fatmeh", "Fatemeh", "Fattouma"]),
    ("عائشة", ["Aisha", "Aicha", "Ayesha", "A'isha", "Aysha", "Aishah"]),
    ("خديجة", ["Khadija", "Khadidja", "Khadeeja", "Khadijah", "Khedija"]),
    ("مريم", ["Maryam", "Mariam", "Meriem", "Mariem", "Miriam"]),
    ("زينب", ["Zaynab", "Zainab", "Zeinab", "Zineb", "Zaineb"]),
    ("أمينة", ["Amina", "Aminah", "Amineh", "Ameena"]),
    ("ليلى", ["Layla", "Leila", "Laila", "Leyla", "Lila"]),
    ("هدى", ["Huda", "Houda", "Hoda", "Hooda"]),
    ("سارة", ["Sara", "Sarah", "Sarra"]),
    ("أسماء", ["Asma", "Asmaa", "Asma'", "Esma"]),
    ("رقية", ["Ruqayya", "Roqaya", "Rokaya", "Ruqaya", "Rukiye"]),
    ("سمية", ["Sumayya", "Soumaya", "Somaya", "Sumaya", "Soumia"]),
    ("حفصة", ["Hafsa", "Hafsah", "Hafça"]),
    ("خولة", ["Khawla", "Khaoula", "Khola", "Khawlah"]),
    ("نادية", ["Nadia", "Nadiya", "Nadya"]),
    ("سلمى", ["Salma", "Selma", "Salmah"]),
]

# Family names and nisbas: Arabic and an ALA-LC romanization without marks, where
# "aa ii uu" write the long vowels and "'" the ayn.
FAMILY = [
    ("الجبيلاوي", "jubaylaawii"), ("البشقلي", "bashqalii"), ("التكريتي", "tikriitii"), ("الدليمي", "dulaymii"),
    ("الجبوري", "jubuurii"), ("العبيدي", "'ubaydii"), ("الزبيدي", "zubaydii"), ("الشمري", "shammarii"),
    ("العنزي", "'anazii"), ("الحلبي", "halabii"), ("الحمصي", "himsii"), ("الديري", "dayrii"),
    ("الرقاوي", "raqqaawii"), ("الموصلي", "mawsilii"), ("الأنصاري", "ansaarii"), ("الفلاحي", "fallaahii"),
    ("القيسي", "qaysii"), ("الخطيب", "khatiib"), ("الحداد", "haddaad"), ("النجار", "najjaar"),
    ("الصباغ", "sabbaagh"), ("الشامي", "shaamii"), ("البغدادي", "baghdaadii"), ("الراوي", "raawii"),
    ("الهيتي", "hiitii"), ("العاني", "'aanii"), ("الحديثي", "hadiithii"), ("الكبيسي", "kubaysii"),
    ("السامرائي", "saamarraa'ii"), ("الطائي", "taa'ii"), ("الجنابي", "janaabii"), ("الكعبي", "ka'bii"),
    ("المشهداني", "mashhadaanii"), ("الظاهري", "zaahirii"), ("الدوري", "duurii"), ("الحسيني", "husaynii"),
    ("الخزرجي", "khazrajii"), ("العزاوي", "'azzaawii"), ("الربيعي", "rubay'ii"), ("النعيمي", "nu'aymii"),
    ("الشيخلي", "shaykhlii"), ("الدباغ", "dabbaagh"), ("الغريري", "ghurayrii"), ("الحمداني", "hamdaanii"),
    ("الذهبي", "dhahabii"), ("الثعالبي", "tha'aalibii"), ("القحطاني", "qahtaanii"), ("الضاحي", "daahii"),
]

SUN = set("t th d dh r z s sh n".split())


def vowel_rules(s, style):
    """Spell an ALA-LC-like romanization in a convention: en (English press),
    fr (French), lev (Levantine), gulf (Gulf/Iraqi), un (UN/BGN without marks)."""
    s = s.replace("'", "" if R.random() < 0.6 else "'")
    if style == "fr":
        s = s.replace("sh", "ch").replace("uu", "ou").replace("u", "ou").replace("oouou", "ou")
        s = s.replace("j", "dj") if R.random() < 0.5 else s
        s = s.replace("ii", "i").replace("aa", "a").replace("ay", "ei" if R.random() < 0.5 else "ai")
        s = s.replace("q", "k").replace("aw", "aou")
    elif style == "lev":
        s = s.replace("uu", "ou").replace("ii", "i").replace("aa", "a").replace("ay", "ei").replace("q", "'" if R.random() < 0.2 else "k")
        s = s.replace("th", "t" if R.random() < 0.5 else "s").replace("dh", "z")
    elif style == "gulf":
        s = s.replace("uu", "u").replace("ii", "i").replace("aa", "a").replace("ay", "ai")
        s = s.replace("q", "g" if R.random() < 0.4 else "q").replace("dh", "th" if R.random() < 0.5 else "dh")
    elif style == "un":
        s = s.replace("uu", "u").replace("ii", "i").replace("aa", "a")
    else:  # en
        s = s.replace("uu", "oo" if R.random() < 0.3 else "u").replace("ii", "i").replace("aa", "a").replace("ay", R.choice(["ay", "ai", "ei"]))
        s = s.replace("q", R.choice(["q", "k"]))
    if s.endswith("i") and R.random() < 0.25:
        s = s[:-1] + R.choice(["y", "ee", "ie"])
    return s.replace("ouou", "ou")


def family_latin(fam, style):
    s = vowel_rules(fam, style)
    first = next((p for p in ("th", "dh", "sh") if s.startswith(p)), s[0])
    art = R.choice(["al-", "al-", "Al-", "el-", "El ", "Al ", "", "al"] if style != "fr" else ["El ", "el-", "El-", "", "Al "])
    if art and first in SUN and R.random() < 0.3:
        art = "a" + first + "-"
    return art + (s.capitalize() if art in ("", "Al ", "El ", "al-", "Al-", "el-", "El-") or art.endswith("-") else s)


def latin_given(names):
    return R.choice(names)


class P:
    def __init__(self, given, father, grand, family, sex, birth, nat):
        self.given, self.father, self.grand, self.family = given, father, grand, family
        self.sex, self.birth, self.nat = sex, birth, nat


def new_person(sex=None, family=None, father=None, given=None):
    sex = sex or R.choice(["male", "male", "male", "female"])
    pool = MALE if sex == "male" else FEMALE
    g = given or R.choice(pool)
    f = father or R.choice(MALE)
    gf = R.choice(MALE)
    fam = family or R.choice(FAMILY)
    y = R.randint(1958, 2008)
    birth = (y, R.randint(1, 12), R.randint(1, 28))
    nat = R.choice(["IRQ", "SYR", "SYR", "IRQ", "TUN", "MAR", "SAU", "JOR", "EGY"])
    return P(g, f, gf, fam, sex, birth, nat)


def arabic_name(p):
    parts = [p.given[0]]
    r = R.random()
    if r < 0.6:
        parts.append(p.father[0])
    elif r < 0.8:
        parts += ["بن" if p.sex == "male" else "بنت", p.father[0]]
    if r < 0.8 and R.random() < 0.3:
        parts.append(p.grand[0])
    parts.append(p.family[0])
    s = " ".join(parts)
    # Arabic writing variation: hamza dropped, ta marbuta as ha, alif maqsura as ya,
    # Abd glued, vowel marks, tatweel.
    if R.random() < 0.3:
        s = s.replace("أ", "ا").replace("إ", "ا")
    if R.random() < 0.2:
        s = s.replace("ة", "ه")
    if R.random() < 0.2:
        s = s.replace("ى", "ي")
    if R.random() < 0.3:
        s = s.replace("عبد ال", "عبدال")
    if R.random() < 0.1:
        s = s.replace("محمد", "مُحَمَّد").replace("ـ", "")
    return s


def latin_name(p, style=None):
    style = style or R.choice(["en", "fr", "lev", "gulf", "un"])
    given = latin_given(p.given[1])
    fam = family_latin(p.family[1], style)
    parts = [given]
    r = R.random()
    if r < 0.45:
        parts.append(latin_given(p.father[1]))
    elif r < 0.65:
        parts += [R.choice(["bin", "ibn", "Ben", "ben"] if p.sex == "male" else ["bint", "Bent"]), latin_given(p.father[1])]
    if r < 0.65 and R.random() < 0.15:
        parts.append(latin_given(p.grand[1]))
    parts.append(fam)
    if R.random() < 0.2:  # family first, upper case, as on many lists
        parts = [parts[-1].upper()] + parts[:-1]
    if R.random() < 0.06:
        parts = [R.choice(["Sheikh", "Hajj", "Dr"])] + parts
    return " ".join(parts)


def birth_fields(p, exact):
    y, m, d = p.birth
    r = R.random()
    if exact or r < 0.35:
        return f"{y:04d}-{m:02d}-{d:02d}", "day"
    if r < 0.55:
        return f"{y:04d}", "year"
    if r < 0.75:
        return f"{y + R.choice([-1, 0, 0, 1]):04d}", "estimated"
    if r < 0.85 and d <= 12 and d != m:
        return f"{y:04d}-{d:02d}-{m:02d}", "day"  # day and month swapped on one document
    return "", ""


def record(p, name, exact=False, father=None):
    b, prec = birth_fields(p, exact)
    nat = p.nat if R.random() < 0.9 else "XXX"
    return "|".join([name, b, prec, p.sex if R.random() < 0.95 else "unknown", nat, father or ""])


def other_variant(p):
    """A person who differs in one way that makes a hard negative."""
    kind = R.choice(["father", "son", "brother", "given", "family", "confusable"])
    if kind == "father":  # same given and family, different father
        q = new_person(p.sex, p.family, None, p.given)
        while q.father == p.father:
            q.father = R.choice(MALE)
    elif kind == "son":  # the son: his father is p (p male)
        q = new_person("male", p.family, p.given if p.sex == "male" else p.father)
    elif kind == "brother":
        q = new_person(None, p.family, p.father)
        while q.given == p.given:
            q.given = R.choice(MALE if q.sex == "male" else FEMALE)
    elif kind == "given":  # same given name, different family
        q = new_person(p.sex, None, None, p.given)
        while q.family == p.family:
            q.family = R.choice(FAMILY)
    elif kind == "family":
        q = new_person(p.sex, p.family)
    else:
        pairs = {"حسن": "حسين", "حسين": "حسن", "محمد": "محمود", "محمود": "محمد", "عمر": "عمار", "عمار": "عمر",
                 "سعيد": "صالح", "أمينة": "آمنة", "سامي": "سالم"}
        alt = pairs.get(p.given[0])
        pool = MALE if p.sex == "male" else FEMALE
        g = next((x for x in pool if x[0] == alt), None) or R.choice(pool)
        q = new_person(p.sex, p.family, p.father, g)
    return kind, q


def main():
    print("# label\tset\tkind\tA: names|birth|precision|sex|nationality|father\tB: same")
    for set_, n in (("cross", 260), ("latin", 200)):
        for i in range(n):
            p = new_person()
            a_name = arabic_name(p) if set_ == "cross" else latin_name(p)
            a = record(p, a_name, exact=set_ == "cross" and R.random() < 0.5)
            if i % 2 == 0:
                b = record(p, latin_name(p), father=latin_given(p.father[1]) if R.random() < 0.3 else None)
                print(f"same\t{set_}\tvariant\t{a}\t{b}")
            else:
                kind, q = other_variant(p)
                b = record(q, latin_name(q), father=latin_given(q.father[1]) if R.random() < 0.3 else None)
                print(f"different\t{set_}\t{kind}\t{a}\t{b}")


main()
