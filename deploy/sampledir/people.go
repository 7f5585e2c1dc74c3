package main

// name is one given or family name as written (native) and in Latin letters (latin, empty
// when native already is Latin script).
type name struct {
	native, latin string
	// female marks a given name; on a Moscow site the family name then takes its female form.
	female bool
}

func (n name) roman() string {
	if n.latin != "" {
		return n.latin
	}
	return n.native
}

// site is one office, written as an OU below ou=people.
type site struct {
	ou string
	// weight is the relative share of random people placed at this site.
	weight int
	// phonePrefix is the E.164 country and area code; local numbers are phoneBase+n, with n
	// counting the site's people.
	phonePrefix string
	phoneBase   int
	// familyFirst writes cn as "family given", as Japanese names are.
	familyFirst bool
	// gendered family names take "а" (Cyrillic) or "a" (Latin) for a female given name.
	gendered bool
	given    []name
	family   []name
}

func latin(names ...string) []name {
	out := make([]name, len(names))
	for i, n := range names {
		out[i] = name{native: n}
	}
	return out
}

var sites = []*site{
	{
		ou: "London", weight: 20, phonePrefix: "+4420", phoneBase: 7946_0000,
		given: latin("Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Emily",
			"Noah", "Sophie", "Priya", "Mohammed", "Chloe", "James", "Grace", "Siobhán"),
		family: latin("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans",
			"Thomas", "Patel", "Khan", "O'Connor", "Hughes", "Wright", "Walker", "Robinson"),
	},
	{
		ou: "New York", weight: 15, phonePrefix: "+1212", phoneBase: 555_0000,
		given: latin("Michael", "Jennifer", "David", "María", "Daniel", "Ashley", "Christopher",
			"Jessica", "Kevin", "Sofía", "Wei", "Aaliyah", "DeShawn"),
		family: latin("Johnson", "García", "Miller", "Davis", "Rodríguez", "Martínez",
			"Hernández", "Lopez", "Chen", "Nguyen", "Kim", "Washington", "Cohen"),
	},
	{
		ou: "Paris", weight: 12, phonePrefix: "+331", phoneBase: 4455_0000,
		given: latin("Zoë", "Léa", "Chloé", "Camille", "Hélène", "Françoise", "Éric", "Jérôme",
			"François", "Benoît", "Gaël", "Noël", "Inès", "Loïc"),
		family: latin("Martin", "Bernard", "Lefèvre", "Dubois", "Moreau", "Lefebvre", "Girard",
			"Rousseau", "Fontaine", "Chevalier", "Bérenger", "Lemaître", "Thibault"),
	},
	{
		ou: "Madrid", weight: 10, phonePrefix: "+3491", phoneBase: 360_0000,
		given: latin("José", "María", "Begoña", "Íñigo", "Nuria", "Álvaro", "Sofía", "Pilar",
			"Jesús", "Lucía", "Ángel", "Raúl"),
		family: latin("Núñez", "García", "Fernández", "González", "Rodríguez", "López",
			"Martínez", "Sánchez", "Pérez", "Gómez", "Muñoz", "Peña", "Ibáñez"),
	},
	{
		ou: "Berlin", weight: 10, phonePrefix: "+4930", phoneBase: 2345_0000,
		given: latin("Jürgen", "Günther", "Käthe", "Jörg", "Lena", "Maximilian", "Sören", "Anja",
			"Björn", "Uwe", "Heike", "Lukas"),
		family: latin("Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Groß", "Schröder",
			"Köhler", "Wagner", "Becker", "Hoffmann", "Schäfer"),
	},
	{
		ou: "Warsaw", weight: 8, phonePrefix: "+4822", phoneBase: 555_0000,
		given: latin("Łukasz", "Małgorzata", "Żaneta", "Paweł", "Agnieszka", "Krzysztof",
			"Wojciech", "Katarzyna", "Michał", "Zofia", "Grzegorz", "Jędrzej"),
		// Surnames of one form for both genders, unlike -ski/-ska.
		family: latin("Nowak", "Wójcik", "Kowalczyk", "Woźniak", "Mazur", "Krawczyk", "Zając",
			"Król", "Wieczorek", "Dudek", "Gołąb", "Pietrzak"),
	},
	{
		ou: "Moscow", weight: 8, phonePrefix: "+7495", phoneBase: 123_0000, gendered: true,
		given: []name{
			{"Дмитрий", "Dmitry", false}, {"Анна", "Anna", true}, {"Сергей", "Sergey", false},
			{"Елена", "Elena", true}, {"Алексей", "Alexey", false}, {"Ольга", "Olga", true},
			{"Наталья", "Natalya", true}, {"Михаил", "Mikhail", false},
			{"Татьяна", "Tatyana", true}, {"Иван", "Ivan", false}, {"Юлия", "Yulia", true},
			{"Андрей", "Andrey", false},
		},
		family: []name{
			{native: "Иванов", latin: "Ivanov"}, {native: "Смирнов", latin: "Smirnov"},
			{native: "Кузнецов", latin: "Kuznetsov"}, {native: "Попов", latin: "Popov"},
			{native: "Соколов", latin: "Sokolov"}, {native: "Лебедев", latin: "Lebedev"},
			{native: "Козлов", latin: "Kozlov"}, {native: "Новиков", latin: "Novikov"},
			{native: "Морозов", latin: "Morozov"}, {native: "Волков", latin: "Volkov"},
			{native: "Фёдоров", latin: "Fyodorov"}, {native: "Ильин", latin: "Ilyin"},
		},
	},
	{
		ou: "Cairo", weight: 7, phonePrefix: "+202", phoneBase: 2345_0000,
		given: []name{
			{native: "محمد", latin: "Mohamed"}, {native: "أحمد", latin: "Ahmed"},
			{native: "فاطمة", latin: "Fatma"}, {native: "مريم", latin: "Mariam"},
			{native: "عمر", latin: "Omar"}, {native: "نور", latin: "Nour"},
			{native: "يوسف", latin: "Youssef"}, {native: "سارة", latin: "Sara"},
			{native: "خالد", latin: "Khaled"}, {native: "ليلى", latin: "Laila"},
			{native: "مصطفى", latin: "Mostafa"}, {native: "هدى", latin: "Hoda"},
		},
		family: []name{
			{native: "حسن", latin: "Hassan"}, {native: "علي", latin: "Ali"},
			{native: "إبراهيم", latin: "Ibrahim"}, {native: "محمود", latin: "Mahmoud"},
			{native: "السيد", latin: "El-Sayed"}, {native: "عبد الله", latin: "Abdallah"},
			{native: "سالم", latin: "Salem"}, {native: "فؤاد", latin: "Fouad"},
			{native: "منصور", latin: "Mansour"}, {native: "شريف", latin: "Sherif"},
		},
	},
	{
		ou: "Tokyo", weight: 10, phonePrefix: "+813", phoneBase: 5550_0000, familyFirst: true,
		given: []name{
			{native: "太郎", latin: "Taro"}, {native: "花子", latin: "Hanako"},
			{native: "健太", latin: "Kenta"}, {native: "陽菜", latin: "Hina"},
			{native: "翔", latin: "Sho"}, {native: "さくら", latin: "Sakura"},
			{native: "大輔", latin: "Daisuke"}, {native: "美咲", latin: "Misaki"},
			{native: "蓮", latin: "Ren"}, {native: "結衣", latin: "Yui"},
			{native: "拓也", latin: "Takuya"}, {native: "愛", latin: "Ai"},
		},
		family: []name{
			{native: "田中", latin: "Tanaka"}, {native: "佐藤", latin: "Sato"},
			{native: "鈴木", latin: "Suzuki"}, {native: "高橋", latin: "Takahashi"},
			{native: "伊藤", latin: "Ito"}, {native: "渡辺", latin: "Watanabe"},
			{native: "山本", latin: "Yamamoto"}, {native: "中村", latin: "Nakamura"},
			{native: "小林", latin: "Kobayashi"}, {native: "加藤", latin: "Kato"},
			{native: "吉田", latin: "Yoshida"}, {native: "山田", latin: "Yamada"},
		},
	},
}

// department is a departmentNumber value with the titles of its people.
type department struct {
	name   string
	weight int
	titles []string
}

var departments = []department{
	{"R&D", 25, []string{"Software Engineer", "Senior Software Engineer", "Research Scientist",
		"QA Engineer", "Engineering Manager"}},
	{"Sales", 18, []string{"Account Executive", "Sales Manager", "Sales Engineer"}},
	{"Support", 15, []string{"Support Engineer", "Support Team Lead"}},
	{"Finance", 8, []string{"Accountant", "Financial Analyst", "Controller"}},
	{"Human Resources", 6, []string{"HR Business Partner", "Recruiter"}},
	{"Marketing", 10, []string{"Marketing Manager", "Content Writer", "Product Marketer"}},
	{"Operations", 12, []string{"Operations Manager", "Facilities Coordinator",
		"Receptionist"}},
	{"Legal", 6, []string{"Legal Counsel", "Paralegal"}},
}

// person is one entry before it is written. Empty fields are left out of the LDIF.
type person struct {
	site   string
	given  name
	family name // empty for a person without a surname
	// cn, uid and mail override the values derived from the names when set.
	cn, uid, mail string
	department    string
	title         string
	employeeType  string
	phone         string
	// noSurname writes an account + extensibleObject entry, which needs no sn.
	noSurname bool
	// noCounter keeps the entry out of the uid numbering, for the case duplicate.
	noCounter bool
}

// specialPeople are the fixed edge cases written before the random people.
var specialPeople = []person{
	{site: "Madrid", given: name{native: "José"}, family: name{native: "Núñez"},
		department: "R&D", title: "Software Engineer"},
	{site: "Paris", given: name{native: "Zoë"}, family: name{native: "Lefèvre"},
		department: "Marketing", title: "Marketing Manager"},
	{site: "Warsaw", given: name{native: "Łukasz"}, family: name{native: "Wiśniewski"},
		department: "R&D", title: "QA Engineer"},
	{site: "Moscow", given: name{native: "Дмитрий", latin: "Dmitry"},
		family: name{native: "Иванов", latin: "Ivanov"}, department: "Sales",
		title: "Account Executive"},
	{site: "Cairo", given: name{native: "محمد", latin: "Mohamed"},
		family: name{native: "حسن", latin: "Hassan"}, department: "Support",
		title: "Support Engineer"},
	{site: "Tokyo", given: name{native: "太郎", latin: "Taro"},
		family: name{native: "田中", latin: "Tanaka"}, department: "R&D",
		title: "Research Scientist"},
	{site: "London", given: name{native: "John"}, family: name{native: "Smith"},
		cn: "Smith, John", department: "Finance", title: "Controller"},
	{site: "London", given: name{native: "Siobhán"}, family: name{native: "O'Brien-Murphy"},
		department: "Legal", title: "Legal Counsel"},
	{site: "London", given: name{native: "Wulan"}, noSurname: true,
		department: "Operations", title: "Facilities Coordinator"},
	{site: "London", given: name{native: "Anna"}, family: name{native: "Berg"},
		mail: "reception.london", department: "Operations", title: "Receptionist"},
	{site: "London", given: name{native: "Erik"}, family: name{native: "Berg"},
		mail: "reception.london", department: "Operations", title: "Receptionist"},
	{site: "Berlin", given: name{native: "Björn"}, family: name{native: "Ek"},
		department: "Sales", title: "Sales Manager", employeeType: "disabled"},
}

// caseDuplicatePerson has the uid of the first special person with different case.
var caseDuplicatePerson = person{
	site: "Paris", given: name{native: "José"}, family: name{native: "Núñez"},
	uid: "Jose.Nunez", department: "Sales", title: "Sales Engineer", noCounter: true,
}
