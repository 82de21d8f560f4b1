"""Name and address pools for the demo clinic: Kerala, Maharashtra and elsewhere, with native-script spellings."""

# (Latin spelling, native spelling). The native form is what a patient writes on the registration form when the
# receptionist keys in "name in local script"; every name here has one so any pick can carry a local name.
KERALA_MALE = (
    ("Anil", "അനിൽ"), ("Suresh", "സുരേഷ്"), ("Rajesh", "രാജേഷ്"), ("Manoj", "മനോജ്"), ("Vinod", "വിനോദ്"),
    ("Sreejith", "ശ്രീജിത്ത്"), ("Arun", "അരുൺ"), ("Biju", "ബിജു"), ("Sajeev", "സജീവ്"), ("Gopakumar", "ഗോപകുമാർ"),
    ("Krishnan", "കൃഷ്ണൻ"), ("Unnikrishnan", "ഉണ്ണികൃഷ്ണൻ"), ("Abhilash", "അഭിലാഷ്"), ("Jayan", "ജയൻ"),
    ("Vishnu", "വിഷ്ണു"), ("Akhil", "അഖിൽ"), ("Rahul", "രാഹുൽ"), ("Midhun", "മിഥുൻ"), ("Ajith", "അജിത്ത്"),
    ("Santhosh", "സന്തോഷ്"), ("Joseph", "ജോസഫ്"), ("Thomas", "തോമസ്"), ("Mathew", "മാത്യു"), ("Shaji", "ഷാജി"),
    ("Muhammed", "മുഹമ്മദ്"), ("Faisal", "ഫൈസൽ"), ("Ashraf", "അഷ്റഫ്"), ("Ramachandran", "രാമചന്ദ്രൻ"),
)
KERALA_FEMALE = (
    ("Lakshmi", "ലക്ഷ്മി"), ("Anjali", "അഞ്ജലി"), ("Divya", "ദിവ്യ"), ("Sreelakshmi", "ശ്രീലക്ഷ്മി"), ("Remya", "രമ്യ"),
    ("Sindhu", "സിന്ധു"), ("Bindu", "ബിന്ദു"), ("Priya", "പ്രിയ"), ("Aswathy", "അശ്വതി"), ("Meera", "മീര"),
    ("Parvathy", "പാർവതി"), ("Geetha", "ഗീത"), ("Suja", "സുജ"), ("Latha", "ലത"), ("Radhika", "രാധിക"),
    ("Anu", "അനു"), ("Reshma", "രേഷ്മ"), ("Jisha", "ജിഷ"), ("Mariamma", "മറിയാമ്മ"), ("Elizabeth", "എലിസബത്ത്"),
    ("Fathima", "ഫാത്തിമ"), ("Ammini", "അമ്മിണി"), ("Kavya", "കാവ്യ"), ("Nimisha", "നിമിഷ"), ("Sumathi", "സുമതി"),
)
KERALA_FAMILY = (
    ("Nair", "നായർ"), ("Menon", "മേനോൻ"), ("Pillai", "പിള്ള"), ("Kurup", "കുറുപ്പ്"), ("Panicker", "പണിക്കർ"),
    ("Warrier", "വാര്യർ"), ("Namboothiri", "നമ്പൂതിരി"), ("Varma", "വർമ്മ"), ("Kutty", "കുട്ടി"),
    ("Thomas", "തോമസ്"), ("Joseph", "ജോസഫ്"), ("Varghese", "വർഗീസ്"), ("Mathew", "മാത്യു"), ("Kurian", "കുര്യൻ"),
    ("Chacko", "ചാക്കോ"), ("Abraham", "എബ്രഹാം"), ("Nambiar", "നമ്പ്യാർ"), ("Raghavan", "രാഘവൻ"), ("Das", "ദാസ്"),
    ("Rahman", "റഹ്മാൻ"), ("Basheer", "ബഷീർ"), ("Krishnan", "കൃഷ്ണൻ"),
)

MARATHI_MALE = (
    ("Ramesh", "रमेश"), ("Suresh", "सुरेश"), ("Sachin", "सचिन"), ("Rahul", "राहुल"), ("Amit", "अमित"),
    ("Sandeep", "संदीप"), ("Prakash", "प्रकाश"), ("Vijay", "विजय"), ("Ganesh", "गणेश"), ("Mahesh", "महेश"),
    ("Nitin", "नितीन"), ("Sunil", "सुनील"), ("Anil", "अनिल"), ("Santosh", "संतोष"), ("Dattatray", "दत्तात्रय"),
    ("Vinayak", "विनायक"), ("Omkar", "ओंकार"), ("Aniket", "अनिकेत"), ("Tushar", "तुषार"), ("Yogesh", "योगेश"),
    ("Shrikant", "श्रीकांत"), ("Mangesh", "मंगेश"),
)
MARATHI_FEMALE = (
    ("Sunita", "सुनीता"), ("Anjali", "अंजली"), ("Pooja", "पूजा"), ("Smita", "स्मिता"), ("Madhuri", "माधुरी"),
    ("Sneha", "स्नेहा"), ("Priyanka", "प्रियांका"), ("Ashwini", "अश्विनी"), ("Manisha", "मनीषा"),
    ("Vaishali", "वैशाली"), ("Swati", "स्वाती"), ("Sayali", "सायली"), ("Rohini", "रोहिणी"), ("Shubhangi", "शुभांगी"),
    ("Kalpana", "कल्पना"), ("Aarti", "आरती"), ("Neha", "नेहा"), ("Mrunal", "मृणाल"), ("Gauri", "गौरी"),
    ("Rama", "रमा"),
)
MARATHI_FAMILY = (
    ("Patil", "पाटील"), ("Deshmukh", "देशमुख"), ("Kulkarni", "कुलकर्णी"), ("Joshi", "जोशी"), ("Jadhav", "जाधव"),
    ("Pawar", "पवार"), ("Shinde", "शिंदे"), ("Gokhale", "गोखले"), ("Apte", "आपटे"), ("Bhosale", "भोसले"),
    ("Deshpande", "देशपांडे"), ("Chavan", "चव्हाण"), ("Kale", "काळे"), ("More", "मोरे"), ("Gaikwad", "गायकवाड"),
    ("Salunkhe", "साळुंखे"), ("Phadke", "फडके"), ("Sawant", "सावंत"), ("Kadam", "कदम"), ("Limaye", "लिमये"),
)

NORTH_MALE = (
    ("Arjun", "अर्जुन"), ("Rohit", "रोहित"), ("Vikram", "विक्रम"), ("Ankit", "अंकित"), ("Rajiv", "राजीव"),
    ("Manish", "मनीष"), ("Deepak", "दीपक"), ("Alok", "आलोक"), ("Harish", "हरीश"), ("Saurabh", "सौरभ"),
)
NORTH_FEMALE = (
    ("Priya", "प्रिया"), ("Kavita", "कविता"), ("Ritu", "रितु"), ("Shalini", "शालिनी"), ("Meenakshi", "मीनाक्षी"),
    ("Poonam", "पूनम"), ("Anita", "अनीता"), ("Nidhi", "निधि"),
)
NORTH_FAMILY = (
    ("Sharma", "शर्मा"), ("Verma", "वर्मा"), ("Gupta", "गुप्ता"), ("Agarwal", "अग्रवाल"), ("Singh", "सिंह"),
    ("Mishra", "मिश्रा"), ("Tiwari", "तिवारी"), ("Srivastava", "श्रीवास्तव"), ("Chauhan", "चौहान"),
)

# Patients from elsewhere in India keep Latin-script names only (their scripts are not in the app's fonts yet).
OTHER_MALE = ("Venkatesh", "Srinivas", "Karthik", "Prasanna", "Sourav", "Arindam", "Imran", "Salim", "Rohan",
              "Naveen", "Sudhir", "Francis", "Clifford", "Harpreet")
OTHER_FEMALE = ("Lavanya", "Kavitha", "Deepa", "Shreya", "Moumita", "Farah", "Ayesha", "Nandini", "Shruti",
                "Jennifer", "Gurpreet", "Sowmya")
OTHER_FAMILY = ("Reddy", "Rao", "Iyer", "Iyengar", "Banerjee", "Chatterjee", "Naidu", "Hegde", "Shetty",
                "Fernandes", "D'Souza", "Khan", "Sheikh", "Mukherjee", "Gill", "Subramaniam")

# (locality, city, state, PIN code): real localities and their post office PIN codes.
KERALA_PLACES = (
    ("Panampilly Nagar", "Kochi", "Kerala", "682036"), ("Kakkanad", "Kochi", "Kerala", "682030"),
    ("Edappally", "Kochi", "Kerala", "682024"), ("Fort Kochi", "Kochi", "Kerala", "682001"),
    ("Vyttila", "Kochi", "Kerala", "682019"), ("Kaloor", "Kochi", "Kerala", "682017"),
    ("Palarivattom", "Kochi", "Kerala", "682025"), ("Thrippunithura", "Kochi", "Kerala", "682301"),
    ("Aluva", "Aluva", "Kerala", "683101"), ("Round North", "Thrissur", "Kerala", "680001"),
    ("Nagampadam", "Kottayam", "Kerala", "686001"), ("Mullakkal", "Alappuzha", "Kerala", "688011"),
    ("Vazhuthacaud", "Thiruvananthapuram", "Kerala", "695014"), ("Mavoor Road", "Kozhikode", "Kerala", "673004"),
    ("Chinnakada", "Kollam", "Kerala", "691001"), ("Sultanpet", "Palakkad", "Kerala", "678001"),
)
MAHARASHTRA_PLACES = (
    ("Kothrud", "Pune", "Maharashtra", "411038"), ("Deccan Gymkhana", "Pune", "Maharashtra", "411004"),
    ("Aundh", "Pune", "Maharashtra", "411007"), ("Baner", "Pune", "Maharashtra", "411045"),
    ("Viman Nagar", "Pune", "Maharashtra", "411014"), ("Hadapsar", "Pune", "Maharashtra", "411028"),
    ("Kalyani Nagar", "Pune", "Maharashtra", "411006"), ("Shivajinagar", "Pune", "Maharashtra", "411005"),
    ("Pimpri", "Pimpri-Chinchwad", "Maharashtra", "411018"), ("Wakad", "Pimpri-Chinchwad", "Maharashtra", "411057"),
    ("Dadar West", "Mumbai", "Maharashtra", "400028"), ("Andheri East", "Mumbai", "Maharashtra", "400069"),
    ("Naupada", "Thane", "Maharashtra", "400602"), ("College Road", "Nashik", "Maharashtra", "422005"),
    ("Rajarampuri", "Kolhapur", "Maharashtra", "416008"), ("Dharampeth", "Nagpur", "Maharashtra", "440010"),
)
OTHER_PLACES = (
    ("Indiranagar", "Bengaluru", "Karnataka", "560038"), ("Adyar", "Chennai", "Tamil Nadu", "600020"),
    ("Banjara Hills", "Hyderabad", "Telangana", "500034"), ("Malviya Nagar", "New Delhi", "Delhi", "110017"),
    ("Hampankatta", "Mangaluru", "Karnataka", "575001"), ("Salt Lake", "Kolkata", "West Bengal", "700091"),
    ("Gomti Nagar", "Lucknow", "Uttar Pradesh", "226010"), ("Panjim", "Panaji", "Goa", "403001"),
    ("RS Puram", "Coimbatore", "Tamil Nadu", "641002"), ("Navrangpura", "Ahmedabad", "Gujarat", "380009"),
)

KERALA_HOUSES = ("Thekkedath House", "Puthenpurayil", "Kizhakkedathu", "Valiyaveettil", "Pallath House",
                 "Sree Nilayam", "Rose Villa", "Thottathil", "Madathil House", "Kunnumpurath")
BUILDINGS = ("Skyline Apartments", "Prestige Towers", "Green Valley Residency", "Sai Krupa Society",
             "Shantiniketan CHS", "Ganga Heights", "Lotus Court", "Kumar Pacific", "Royal Palms", "Ashoka Enclave")
STREETS = ("MG Road", "Temple Road", "Church Road", "Station Road", "Market Road", "Main Road", "Lake View Road",
           "Hospital Road", "School Lane", "Canal Road")
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.co.in", "outlook.com", "rediffmail.com")
