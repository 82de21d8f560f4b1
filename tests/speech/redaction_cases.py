"""Clinical sentences for the redaction tests: identifiers that must go, clinical values that must stay.

Written for these tests (no real patient): Indian names from several languages, some in lower case the way Whisper
writes them, identifiers in the forms they are spoken and typed, mixed with ages, doses, durations and vitals.
`remove` lists identifier substrings (every occurrence must be covered by a redacted span); `keep` lists clinical
substrings that must come out untouched; `known` lists names the clinic already knows (the first is the patient).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    text: str
    remove: tuple[str, ...]
    keep: tuple[str, ...]
    known: tuple[str, ...] = ()


def C(text: str, remove: list[str], keep: list[str], known: list[str] | None = None) -> Case:  # noqa: N802
    return Case(text, tuple(remove), tuple(keep), tuple(known or ()))


HAND_WRITTEN = [
    # --- names with clinical values, known to the clinic ---
    C("Ramesh Kumar, age 42, came with knee pain for 5 days. BP 130/85, pulse 72.",
      ["Ramesh Kumar"], ["age 42", "5 days", "130/85", "pulse 72"], ["Ramesh Kumar"]),
    C("ramesh kumar aged 42 says the knee pain started three weeks ago", ["ramesh kumar"],
      ["aged 42", "three weeks"], ["Ramesh Kumar"]),
    C("Mr Kumar was advised Ashwagandha 500 mg twice a day for 30 days.", ["Kumar"],
      ["Ashwagandha", "500 mg", "twice a day", "30 days"], ["Ramesh Kumar"]),
    C("Lakshmi Nair, 58 years, has had low back pain for two months; weight 64 kg.", ["Lakshmi Nair"],
      ["58 years", "two months", "64 kg"], ["Lakshmi Nair"]),
    C("lakshmi nair blood pressure 140 over 90 pulse 80 temperature 98.4", ["lakshmi nair"],
      ["140 over 90", "pulse 80", "98.4"], ["Lakshmi Nair"]),
    C("Mrs Nair is on day 3 of Abhyanga with Dhanwantharam thailam, 7 days in all.", ["Nair"],
      ["day 3", "Abhyanga", "Dhanwantharam", "7 days"], ["Lakshmi Nair"]),
    C("Karthik Subramanian, 35, reports acidity for 6 months. Avipattikar churna 5 g at bedtime.",
      ["Karthik Subramanian"], ["35", "6 months", "Avipattikar", "5 g"], ["Karthik Subramanian"]),
    C("karthik says the burning is worse after meals, 2 to 3 times a week", ["karthik"],
      ["2 to 3 times a week"], ["Karthik Subramanian"]),
    C("Sourav Banerjee, aged 61, diabetic for 12 years, fasting sugar 146 mg/dl.", ["Sourav Banerjee"],
      ["aged 61", "12 years", "146 mg/dl"], ["Sourav Banerjee"]),
    C("Mr Banerjee will continue Nishamalaki 2 tablets twice daily for 3 months.", ["Banerjee"],
      ["2 tablets", "twice daily", "3 months"], ["Sourav Banerjee"]),
    C("Rituparna Chatterjee, 29, migraine since age 16, SpO2 98%.", ["Rituparna Chatterjee"],
      ["29", "since age 16", "SpO2 98%"], ["Rituparna Chatterjee"]),
    C("rituparna chatterjee came with headache for four days", ["rituparna chatterjee"], ["four days"],
      ["Rituparna Chatterjee"]),
    C("Anitha Pillai, 47, Shirodhara 45 minutes daily for 14 days.", ["Anitha Pillai"],
      ["47", "Shirodhara", "45 minutes", "14 days"], ["Anitha Pillai"]),
    C("Pooja Gupta, 24 weeks pregnant, weight 61 kg, BP 110/70.", ["Pooja Gupta"],
      ["24 weeks", "61 kg", "110/70"], ["Pooja Gupta"]),
    C("Suresh Kurup, 66, Pizhichil for 7 days, Ksheerabala 101 avarti 10 drops in milk.", ["Suresh Kurup"],
      ["66", "Pizhichil", "7 days", "10 drops"], ["Suresh Kurup"]),
    C("Mariamma Varghese, 72, sandhivata of both knees for 5 years, Janu Basti planned.", ["Mariamma Varghese"],
      ["72", "5 years", "Janu Basti"], ["Mariamma Varghese"]),
    C("mariamma says she walks 20 minutes a day", ["mariamma"], ["20 minutes a day"], ["Mariamma Varghese"]),
    C("Abdul Rasheed, 50, BP 150/95, pulse 88, advised salt below 5 g a day.", ["Abdul Rasheed"],
      ["50", "150/95", "pulse 88", "5 g a day"], ["Abdul Rasheed"]),
    C("Fathima Beevi reports sleep of only 4 hours for 3 weeks.", ["Fathima Beevi"], ["4 hours", "3 weeks"],
      ["Fathima Beevi"]),
    C("Meenakshi Sundaram, 38, Triphala churna 1 teaspoon with warm water at night.", ["Meenakshi Sundaram"],
      ["38", "Triphala", "1 teaspoon"], ["Meenakshi Sundaram"]),
    C("Murugan Pandian, 55, weight 82 kg, height 170 cm, BMI 28.4.", ["Murugan Pandian"],
      ["55", "82 kg", "170 cm", "28.4"], ["Murugan Pandian"]),
    C("Moumita Das, 33, irregular cycles for 8 months, Shatavari 3 g twice a day.", ["Moumita Das"],
      ["33", "8 months", "Shatavari", "3 g"], ["Moumita Das"]),
    C("Arindam Mukherjee complains of cough for 10 days, temperature 100.2 F.", ["Arindam Mukherjee"],
      ["10 days", "100.2 F"], ["Arindam Mukherjee"]),
    C("Gurpreet Kaur, 44, Kati Basti for 7 days, pain score 7 out of 10.", ["Gurpreet Kaur"],
      ["44", "Kati Basti", "7 days", "7 out of 10"], ["Gurpreet Kaur"]),
    C("Harjeet Singh Sandhu, 68, breathless on exertion, SpO2 93%, pulse 96.", ["Harjeet Singh Sandhu"],
      ["68", "SpO2 93%", "pulse 96"], ["Harjeet Singh Sandhu"]),
    C("Venkata Rao, 59, HbA1c 8.1, metformin 500 mg twice daily continued.", ["Venkata Rao"],
      ["59", "8.1", "500 mg", "twice daily"], ["Venkata Rao"]),
    C("Srinivas Reddy reports constipation for 2 weeks; Gandharvahasthadi kashayam 15 ml twice a day.",
      ["Srinivas Reddy"], ["2 weeks", "15 ml", "twice a day"], ["Srinivas Reddy"]),
    C("Manjunath Gowda, 46, neck pain for 3 months after a fall, Greeva Basti 5 days.", ["Manjunath Gowda"],
      ["46", "3 months", "Greeva Basti", "5 days"], ["Manjunath Gowda"]),
    C("Shilpa Hegde, 27, acne for a year, Manjishta 2 capsules a day.", ["Shilpa Hegde"],
      ["27", "2 capsules a day"], ["Shilpa Hegde"]),
    C("Sachin Patil, 40, gout, uric acid 8.2, Kaishore guggulu 2 tablets thrice daily.", ["Sachin Patil"],
      ["40", "8.2", "2 tablets", "thrice daily"], ["Sachin Patil"]),
    C("snehal deshpande age 31 came for review after 14 days", ["snehal deshpande"], ["age 31", "14 days"],
      ["Snehal Deshpande"]),
    C("Hetal Patel, 36, thyroid, TSH 6.2, weight gain of 5 kg in 4 months.", ["Hetal Patel"],
      ["36", "6.2", "5 kg", "4 months"], ["Hetal Patel"]),
    C("Jignesh Shah has psoriasis for 9 years; Mahatiktakam ghritam 10 ml at dawn.", ["Jignesh Shah"],
      ["9 years", "10 ml"], ["Jignesh Shah"]),
    C("Thomas Kurian, 63, post-stroke, Pakshaghata, physiotherapy 30 minutes twice a day.", ["Thomas Kurian"],
      ["63", "30 minutes", "twice a day"], ["Thomas Kurian"]),
    C("Deepa Varma, 52, hot flushes for 6 months, pulse 76, BP 124/80.", ["Deepa Varma"],
      ["52", "6 months", "pulse 76", "124/80"], ["Deepa Varma"]),
    C("Jayakumar Panicker, 70, prostate, night urination 4 times.", ["Jayakumar Panicker"],
      ["70", "4 times"], ["Jayakumar Panicker"]),
    C("Tanushree Ghosh, 22, anaemia, haemoglobin 9.8 g/dl, iron for 90 days.", ["Tanushree Ghosh"],
      ["22", "9.8 g/dl", "90 days"], ["Tanushree Ghosh"]),
    C("Debashis Roy, 57, Virechana planned after 7 days of Snehapana.", ["Debashis Roy"],
      ["57", "Virechana", "7 days"], ["Debashis Roy"]),
    C("Priya Raghavan, 30, Nasya with Anu thailam 2 drops each nostril for 7 days.", ["Priya Raghavan"],
      ["30", "Nasya", "2 drops", "7 days"], ["Priya Raghavan"]),
    C("Anand Krishnan, 48, BP 136/88, advised walking 30 minutes daily.", ["Anand Krishnan"],
      ["48", "136/88", "30 minutes daily"], ["Anand Krishnan"]),
    C("Neha Singh, 26, PCOS, weight 72 kg, Kanchanara guggulu 2 tablets twice a day.", ["Neha Singh"],
      ["26", "72 kg", "2 tablets", "twice a day"], ["Neha Singh"]),
    C("Vikram Chauhan, 34, lumbar disc, Kati Basti 7 sittings, pain 6 out of 10.", ["Vikram Chauhan"],
      ["34", "7 sittings", "6 out of 10"], ["Vikram Chauhan"]),
    C("Kavita Joshi came with her daughter, age 9, fever 101 F for 2 days.", ["Kavita Joshi"],
      ["age 9", "101 F", "2 days"], ["Kavita Joshi"]),
    C("Suresh Tiwari, 65, cataract surgery 2 years ago, Triphala eye wash.", ["Suresh Tiwari"],
      ["65", "2 years ago", "Triphala"], ["Suresh Tiwari"]),
    C("Meena Agarwal, 49, joint pain, Yogaraja guggulu 2 tablets twice daily after food.", ["Meena Agarwal"],
      ["49", "2 tablets", "twice daily"], ["Meena Agarwal"]),
    C("Shibu Mathew, 41, alcohol 3 pegs a day for 10 years, liver enzymes raised.", ["Shibu Mathew"],
      ["41", "3 pegs a day", "10 years"], ["Shibu Mathew"]),
    C("Padma Naidu, 60, Udvartana for 14 days for weight 88 kg.", ["Padma Naidu"],
      ["60", "Udvartana", "14 days", "88 kg"], ["Padma Naidu"]),
    C("Ashok Kulkarni, 75, memory complaints for 1 year, Brahmi 5 ml twice a day.", ["Ashok Kulkarni"],
      ["75", "1 year", "Brahmi", "5 ml"], ["Ashok Kulkarni"]),
    # --- names without a clinic record: spaCy or a title / relation before them ---
    C("Her son Arjun Menon brought her today; she is 80 and walks with a stick.", ["Arjun Menon"],
      ["80"], ["Lakshmi Nair"]),
    C("Accompanied by her husband Rajesh Yadav, pulse 84, BP 128/82.", ["Rajesh Yadav"],
      ["pulse 84", "128/82"]),
    C("her husband rajesh came with her, weight 68 kg", ["rajesh"], ["68 kg"]),
    C("his wife sunita says he snores, sleeps 5 hours", ["sunita"], ["5 hours"]),
    C("Dr Anjali Menon reviewed the case; continue for 21 days.", ["Anjali Menon"], ["21 days"]),
    C("Referred by Dr. Prakash Iyer for Panchakarma, 28 days programme.", ["Prakash Iyer"],
      ["Panchakarma", "28 days"]),
    C("Therapist Smt Girija did Abhyanga for 45 minutes.", ["Girija"], ["Abhyanga", "45 minutes"]),
    C("Shri Mohan Lal, 71, urinary frequency 8 times a night.", ["Mohan Lal"], ["71", "8 times a night"]),
    C("Patient Lakshmi Narayanan, 54, pain in the right shoulder for 2 months.", ["Lakshmi Narayanan"],
      ["54", "2 months"]),
    C("patient name is rahul verma age 19 came for acne", ["rahul verma"], ["age 19"]),
    C("My name is Asha Kumari and I am 45 years old.", ["Asha Kumari"], ["45 years old"]),
    C("my name is sneha pillai, I have had a rash for ten days", ["sneha pillai"], ["ten days"]),
    C("S/o Ravi Shankar, age 12, weight 34 kg.", ["Ravi Shankar"], ["age 12", "34 kg"]),
    C("W/o Dinesh Babu, 39, thyroid swelling for 6 months.", ["Dinesh Babu"], ["39", "6 months"]),
    C("Ms. Farzana Begum, 28, Kizhi for 7 days, pain reduced from 8 to 4.", ["Farzana Begum"],
      ["28", "Kizhi", "7 days", "8 to 4"]),
    C("Master Aarav Sharma, age 7, cough for 5 days, temperature 99.5.", ["Aarav Sharma"],
      ["age 7", "5 days", "99.5"]),
    C("Baby Ananya, 2 years, weight 11 kg, loose stools 4 times a day.", ["Ananya"],
      ["2 years", "11 kg", "4 times a day"]),
    C("Sunita Chatterjee, 35, from Kolkata, has dry skin.", ["Sunita Chatterjee"], ["35"]),
    C("Seen by Dr Ramachandran; Nasya 7 days; review in 2 weeks.", ["Ramachandran"], ["Nasya", "7 days", "2 weeks"]),
    C("Her daughter Kavya Menon will bring her for the 10 am session.", ["Kavya Menon"], ["10 am"]),
    C("Attendant: his brother Joseph Thomas, contact 94470 12345.", ["Joseph Thomas", "94470 12345"], []),
    C("Mr. Iqbal Ahmed, 52, chest pain on exertion for 3 days, sent to cardiology.", ["Iqbal Ahmed"],
      ["52", "3 days"]),
    C("Mrs Sarojini Amma, 84, bedridden for 1 year, bed sore 2 cm.", ["Sarojini Amma"],
      ["84", "1 year", "2 cm"]),
    C("Consultant Dr Vinod Kumar advised Virechana after 5 days of ghee.", ["Vinod Kumar"],
      ["Virechana", "5 days"]),
    # --- phone numbers in the forms people say and type ---
    C("Phone 98765 43210, BP 130/85.", ["98765 43210"], ["130/85"]),
    C("His mobile is +91 98470 12345 and he is 45.", ["+91 98470 12345"], ["45"]),
    C("Call her on +91-94472-33445 after 6 pm.", ["+91-94472-33445"], ["6 pm"]),
    C("contact 9447233445 for the 3 day follow up", ["9447233445"], ["3 day"]),
    C("whatsapp number 098470 12345, review after 10 days", ["098470 12345"], ["10 days"]),
    C("son's number is 98,470 12,345 and the fever lasted 3 days", ["98,470 12,345"], ["3 days"]),
    C("phone nine eight four seven zero one two three four five, age 60",
      ["nine eight four seven zero one two three four five"], ["age 60"]),
    C("mobile 984 701 2345, weight 70 kg", ["984 701 2345"], ["70 kg"]),
    C("landline 0484 2345678, clinic visit in 2 weeks", ["0484 2345678"], ["2 weeks"]),
    C("office 0471-2567890, BP 118/76", ["0471-2567890"], ["118/76"]),
    C("Reach him at +91 484 2315678 between 9 and 5.", ["+91 484 2315678"], ["between 9 and 5"]),
    C("her phone 7012345678 and pulse 90", ["7012345678"], ["pulse 90"]),
    C("number is 63 82 91 45 70, temperature 99", ["63 82 91 45 70"], ["temperature 99"]),
    C("call 98470-12345 if the fever goes above 102", ["98470-12345"], ["102"]),
    C("mobile double nine four seven zero one two three four five, takes 2 tablets", [
        "double nine four seven zero one two three four five"], ["2 tablets"]),
    C("The daughter's number: 8089 123 456. Dose 10 ml.", ["8089 123 456"], ["10 ml"]),
    # --- Aadhaar: correct check digit, mis-heard digit, spoken forms ---
    C("Aadhaar 2345 6789 0124, age 42.", ["2345 6789 0124"], ["age 42"]),
    C("aadhaar number is 4567 8912 3451 and she is 38 years old", ["4567 8912 3451"], ["38 years old"]),
    C("Aadhaar 3876-5432-1095, weight 59 kg", ["3876-5432-1095"], ["59 kg"]),
    C("aadhar 512349876504 on file, pulse 78", ["512349876504"], ["pulse 78"]),
    C("Aadhaar 6432 1987 6547 (one digit mis-heard), BP 120/80", ["6432 1987 6547"], ["120/80"]),
    C("his aadhaar is 7264 8193 0578 and he is on day 5 of treatment", ["7264 8193 0578"], ["day 5"]),
    C("UID 8374 6529 1031; Triphala 5 g at night", ["8374 6529 1031"], ["5 g"]),
    C("aadhaar 9,182 7,364 5,018, temperature 98.2", ["9,182 7,364 5,018"], ["98.2"]),
    C("Aadhaar card number 2938 4756 1021 was shown; weight 66 kg.", ["2938 4756 1021"], ["66 kg"]),
    C("aadhaar five six four seven three eight two nine one zero four three, age 33",
      ["five six four seven three eight two nine one zero four three"], ["age 33"]),
    # --- PAN ---
    C("PAN ABCPK1234F for the receipt, 7 sessions", ["ABCPK1234F"], ["7 sessions"]),
    C("pan number is bnzpm2501g, fees for 14 days", ["bnzpm2501g"], ["14 days"]),
    C("His PAN is AFZPK7190K and BP is 140/90.", ["AFZPK7190K"], ["140/90"]),
    C("PAN card: CQRPS4455D; pulse 70.", ["CQRPS4455D"], ["pulse 70"]),
    # --- ABHA number and address ---
    C("ABHA 91-2345-6789-0123, age 50", ["91-2345-6789-0123"], ["age 50"]),
    C("ABHA number 12 3456 7890 1234 and weight 77 kg", ["12 3456 7890 1234"], ["77 kg"]),
    C("abha id 45678912345678, review in 10 days", ["45678912345678"], ["10 days"]),
    C("Her ABHA address is lakshmi.nair@abdm, 3 weeks of therapy.", ["lakshmi.nair@abdm"], ["3 weeks"]),
    C("abha address ramesh_k82@sbx and BP 126/84", ["ramesh_k82@sbx"], ["126/84"]),
    C("ABHA address is arjunmenon at abdm, temperature 98.6", ["arjunmenon at abdm"], ["98.6"]),
    C("health id sourav.b@abdm linked; HbA1c 7.2", ["sourav.b@abdm"], ["7.2"]),
    # --- e-mail ---
    C("Email ramesh.kumar@gmail.com, age 42.", ["ramesh.kumar@gmail.com"], ["age 42"]),
    C("send the report to lakshmi_nair82@yahoo.co.in after 7 days", ["lakshmi_nair82@yahoo.co.in"], ["7 days"]),
    C("email is ramesh dot kumar at gmail dot com, pulse 74", ["ramesh dot kumar at gmail dot com"], ["pulse 74"]),
    C("mail karthik.s@outlook.com; dose 500 mg", ["karthik.s@outlook.com"], ["500 mg"]),
    C("her email priya underscore r at rediffmail dot com, BP 112/72",
      ["priya underscore r at rediffmail dot com"], ["112/72"]),
    # --- addresses and PIN codes ---
    C("She lives at 23 Gandhi Nagar, Thrissur 680001 and has headache for three days.",
      ["23 Gandhi Nagar, Thrissur 680001"], ["three days"]),
    C("Address: 14/2 Nehru Street, T Nagar, Chennai 600017. Age 59.", ["14/2 Nehru Street, T Nagar, Chennai 600017"],
      ["Age 59"]),
    C("resides at House No. 45, Sector 12, Dwarka, New Delhi 110075, BP 132/86",
      ["45, Sector 12, Dwarka, New Delhi 110075"], ["132/86"]),
    C("address is Flat 3B, Sai Apartments, Andheri West, Mumbai 400053; weight 80 kg",
      ["Flat 3B, Sai Apartments, Andheri West, Mumbai 400053"], ["80 kg"]),
    C("lives at 12 MG Road, Ernakulam, with pain for 2 weeks", ["12 MG Road, Ernakulam"], ["2 weeks"]),
    C("lives at 7 Kurup Lane Kottayam and takes 2 tablets a day", ["7 Kurup Lane Kottayam"], ["2 tablets a day"]),
    C("she stays in Panampilly Nagar near the park, 3 km walk daily", ["Panampilly Nagar"], ["3 km"]),
    C("living at thekkumbhagam house, vyttila, kochi 682019; fever 5 days",
      ["thekkumbhagam house, vyttila, kochi 682019"], ["5 days"]),
    C("PIN code 682016, visit after 14 days", ["682016"], ["14 days"]),
    C("pincode 560 034 and pulse 82", ["560 034"], ["pulse 82"]),
    C("Her home is 45 Lake View Road, Kochi - 682024, she is 67.", ["45 Lake View Road, Kochi - 682024"], ["67"]),
    C("from 18 Park Street, Kolkata 700016, diabetic for 15 years", ["18 Park Street, Kolkata 700016"],
      ["15 years"]),
    C("resident of Koramangala 4th Block, Bangalore 560034, BP 122/78", ["Koramangala 4th Block, Bangalore 560034"],
      ["122/78"]),
    C("He hails from Palarivattom, Kochi, works 10 hours a day.", ["Palarivattom, Kochi"], ["10 hours a day"]),
    C("house number 221, Anna Nagar, Madurai 625020, age 44", ["221, Anna Nagar, Madurai 625020"], ["age 44"]),
    # --- dates of birth ---
    C("Date of birth 12/03/1980, age 44, temperature 98.6.", ["12/03/1980"], ["age 44", "98.6"]),
    C("DOB 03-07-1975, BP 138/88", ["03-07-1975"], ["138/88"]),
    C("born on 12 March 1980 and has had asthma for 20 years", ["12 March 1980"], ["20 years"]),
    C("she was born on the 5th of March 1975, pulse 80", ["5th of March 1975"], ["pulse 80"]),
    C("date of birth is 1st January 1968, weight 58 kg", ["1st January 1968"], ["58 kg"]),
    C("d.o.b. 15.08.1990, SpO2 99%", ["15.08.1990"], ["SpO2 99%"]),
    C("born on the twelfth of march nineteen eighty, takes 10 ml twice a day",
      ["twelfth of march nineteen eighty"], ["10 ml", "twice a day"]),
    C("born in 1956, age 68, knee pain for 3 years", ["1956"], ["age 68", "3 years"]),
    C("DOB: 1988-11-23; review in 3 weeks", ["1988-11-23"], ["3 weeks"]),
    C("Birth date March 4, 1992, BMI 24.", ["March 4, 1992"], ["BMI 24"]),
    C("date of birth 04 11 1979 and pulse 68", ["04 11 1979"], ["pulse 68"]),
    C("dob is twenty first june nineteen seventy two and she weighs 70 kg", ["twenty first june nineteen seventy two"],
      ["70 kg"]),
    C("born on 1st May two thousand and one, age 23", ["1st May two thousand and one"], ["age 23"]),
    # --- hospital numbers ---
    C("UHID SKM-A-000123, age 42.", ["SKM-A-000123"], ["age 42"]),
    C("hospital number KOC A 000456, BP 130/80", ["KOC A 000456"], ["130/80"]),
    C("uhid koc-b2-004567 for Shirodhara 7 days", ["koc-b2-004567"], ["Shirodhara", "7 days"]),
    C("Registration number PUN-A-001234; pulse 76", ["PUN-A-001234"], ["pulse 76"]),
    C("OP number 458812, fever for 2 days", ["458812"], ["2 days"]),
    # --- everything at once ---
    C("Ramesh Kumar, 42, phone 98765 43210, Aadhaar 2345 6789 0124, lives at 23 Gandhi Nagar, Thrissur 680001, "
      "BP 130/85, Ashwagandha 500 mg twice a day for 30 days.",
      ["Ramesh Kumar", "98765 43210", "2345 6789 0124", "23 Gandhi Nagar, Thrissur 680001"],
      ["42", "130/85", "500 mg", "twice a day", "30 days"], ["Ramesh Kumar"]),
    C("lakshmi nair, dob 12 march 1966, mobile 94470 12345, abha lakshmi.nair@abdm, pulse 80, 14 days of Kizhi",
      ["lakshmi nair", "12 march 1966", "94470 12345", "lakshmi.nair@abdm"], ["pulse 80", "14 days", "Kizhi"],
      ["Lakshmi Nair"]),
    C("Sourav Banerjee UHID KOC-A-000789 email sourav.b@gmail.com, fasting sugar 132, 2 tablets daily",
      ["Sourav Banerjee", "KOC-A-000789", "sourav.b@gmail.com"], ["132", "2 tablets daily"], ["Sourav Banerjee"]),
    C("Anitha Pillai's son Vishnu Pillai called from 9847012345; she is 47 and on day 4 of Virechana.",
      ["Anitha Pillai", "Vishnu Pillai", "9847012345"], ["47", "day 4", "Virechana"], ["Anitha Pillai"]),
    C("Patient Moumita Das, PAN BQKPD4321M, Aadhaar 5647 3829 1043, weight 55 kg, Hb 10.2",
      ["Moumita Das", "BQKPD4321M", "5647 3829 1043"], ["55 kg", "10.2"], ["Moumita Das"]),
    # --- clinical text with no identifier at all: nothing may be removed ---
    C("Age 42, pain for three days, BP 130 over 85, pulse 72.", [],
      ["Age 42", "three days", "130 over 85", "pulse 72"]),
    C("Ashwagandha 500 mg twice a day for 3 weeks; Pizhichil 7 days.", [],
      ["Ashwagandha", "500 mg", "twice a day", "3 weeks", "Pizhichil", "7 days"]),
    C("Temperature 101.4 F for 2 days, SpO2 96%, respiratory rate 22.", [],
      ["101.4 F", "2 days", "SpO2 96%", "respiratory rate 22"]),
    C("Dashamoolarishta 20 ml with equal water after lunch and dinner for 45 days.", [],
      ["Dashamoolarishta", "20 ml", "45 days"]),
    C("She is from Kerala and follows a Vata-pacifying diet; weight 62 kg.", [], ["Kerala", "Vata", "62 kg"]),
    C("Pitta prakriti, Amlapitta for 2 years, Avipattikar 3 g before food.", [],
      ["Pitta", "2 years", "Avipattikar", "3 g"]),
    C("Shirodhara 45 minutes, Abhyanga 60 minutes, Swedana 15 minutes, for 14 days.", [],
      ["Shirodhara", "45 minutes", "Abhyanga", "60 minutes", "15 minutes", "14 days"]),
    C("Weight 78 kg, height 165 cm, waist 98 cm, BMI 28.6.", [], ["78 kg", "165 cm", "98 cm", "28.6"]),
    C("Blood pressure 150/100 on 2 readings 10 minutes apart.", [], ["150/100", "2 readings", "10 minutes"]),
    C("Triphala 1 teaspoon at bedtime, Brahmi 5 ml twice daily, for 1 month.", [],
      ["1 teaspoon", "Brahmi", "5 ml", "twice daily", "1 month"]),
    C("age 67 fever since 3 days pulse 104 bp 100 over 60", [], ["age 67", "3 days", "pulse 104", "100 over 60"]),
    C("Platelet count 250000, haemoglobin 12.4, ESR 32.", [], ["250000", "12.4", "ESR 32"]),
    C("Pain started on 12 March after a fall; 3 weeks now.", [], ["12 March", "3 weeks"]),
    C("Next Virechana on 15th June; Snehapana 30 ml rising to 150 ml over 5 days.", [],
      ["15th June", "30 ml", "150 ml", "5 days"]),
    C("Dhanwantharam kashayam 15 ml + 45 ml warm water, 6 am and 6 pm, for 21 days.", [],
      ["15 ml", "45 ml", "6 am", "6 pm", "21 days"]),
    C("Vitals: BP 124/82 mmHg, HR 78 bpm, temp 98.4 F, RR 18, SpO2 98 percent.", [],
      ["124/82", "78 bpm", "98.4 F", "RR 18", "98 percent"]),
    C("she is 34 years old, 2 children, last delivery 3 years ago", [], ["34 years old", "2 children", "3 years ago"]),
    C("Sugar 180 fasting, 260 after food, HbA1c 9.4, insulin 10 units at night.", [],
      ["180", "260", "9.4", "10 units"]),
    C("Kottamchukkadi thailam for external use twice a day for 10 days.", [],
      ["Kottamchukkadi", "twice a day", "10 days"]),
    C("review after 2 weeks, repeat Kati Basti 7 sittings, pain 5 out of 10", [],
      ["2 weeks", "Kati Basti", "7 sittings", "5 out of 10"]),
    C("patient underwent Virechana on day 5 and tolerated it well, 6 motions", [], ["Virechana", "day 5", "6 motions"]),
    C("her son usually brings her, she is 70 and walks 1 km", [], ["70", "1 km"]),
    C("Anu thailam 2 drops in each nostril for 7 days", [], ["Anu thailam", "2 drops", "7 days"]),
    C("Rasnadi kashayam 15 ml and Yogaraja guggulu 1 tablet, both for 21 days", [],
      ["Rasnadi kashayam", "15 ml", "1 tablet", "21 days"]),
    # --- more names and numbers in running speech ---
    C("sent on WhatsApp to plus 91 98470 11223, she is 52", ["plus 91 98470 11223"], ["52"]),
    C("Dr Nisha advised Nasya; patient came with wife Geetha, age 60.", ["Nisha", "Geetha"], ["Nasya", "age 60"]),
    C("Patient Rasheed Ahmed had fever for 3 days; her husband javed took 2 tablets", ["Rasheed Ahmed", "javed"],
      ["3 days", "2 tablets"]),
    C("My husband Sanjay Gupta takes Arjunarishta 20 ml after food.", ["Sanjay Gupta"], ["Arjunarishta", "20 ml"]),
    C("I live in Kakkanad near Infopark, pin 682042, and my knee hurts for 2 months.",
      ["Kakkanad near Infopark, pin 682042"], ["2 months"]),
    C("called from 0484 2 345 678 about the 3 pm slot", ["0484 2 345 678"], ["3 pm"]),
    C("Uhid is pun b 000912; follow up after 28 days", ["pun b 000912"], ["28 days"]),
    C("The child was born on 3 April 2019, weight 18 kg, height 108 cm.", ["3 April 2019"],
      ["18 kg", "108 cm"]),
]

# Generated cases: every name form crossed with identifier forms, so that each recogniser is tried on many names.
_PATIENTS = [
    "Rahul Sharma", "Anjali Nair", "Senthil Kumar", "Sudipta Sen", "Farhan Qureshi", "Bhavana Reddy",
    "Ganesh Iyer", "Nandini Menon", "Prakash Yadav", "Shreya Ghoshal", "Vijay Raghavan", "Aisha Siddiqui",
    "Sreeja Unnikrishnan", "Gopal Krishnan", "Bindu Thampi", "Rohan Deshmukh", "Ayesha Khan", "Ajay Chaudhary",
    "Lalitha Subramaniam", "Biswajit Sarkar",
]
_CLINICAL = [
    ("age {age}, knee pain for {n} days, BP 130/85", ["age {age}", "{n} days", "130/85"]),
    ("{age} years old, Triphala 5 g at night for {n} weeks", ["{age} years old", "5 g", "{n} weeks"]),
    ("pulse 7{n}, temperature 98.{n}, Abhyanga for {n} days", ["pulse 7{n}", "98.{n}", "{n} days"]),
    ("aged {age}, Ashwagandha 500 mg twice a day for {n} months", ["aged {age}", "500 mg", "twice a day",
                                                                   "{n} months"]),
]
_IDENTIFIERS = [
    ("phone {phone}", "{phone}"),
    ("aadhaar {aadhaar}", "{aadhaar}"),
    ("mobile {spaced}", "{spaced}"),
    ("email {email}", "{email}"),
    ("abha address {abha}", "{abha}"),
]
_AADHAARS = ["2345 6789 0124", "4567 8912 3451", "3876 5432 1095", "5123 4987 6504", "6432 1987 6546",
             "7264 8193 0579", "8374 6529 1031", "9182 7364 5018", "2938 4756 1021", "5647 3829 1043"]


def _generated() -> list[Case]:
    cases = []
    for index, name in enumerate(_PATIENTS):
        given, family = name.split()
        n = 2 + index % 7
        age = 20 + (index * 7) % 60
        phone = f"9{index % 10}4{(index * 3) % 10}7 {12345 + index * 1111}"
        values = {
            "age": age, "n": n, "phone": phone, "aadhaar": _AADHAARS[index % len(_AADHAARS)],
            "spaced": f"+91 {phone}", "email": f"{given.lower()}.{family.lower()}{index}@gmail.com",
            "abha": f"{given.lower()}{index}@abdm",
        }
        clinical, keep = _CLINICAL[index % len(_CLINICAL)]
        for form, style in enumerate(("{name}", "{lower}", "Mr {family}", "{given}")):
            if form == 3 and index % 2:
                continue
            shown = style.format(name=name, lower=name.lower(), family=family, given=given)
            spoken = shown if form != 2 or index % 3 else shown.replace("Mr", "Mrs")
            identifier, removed = _IDENTIFIERS[(index + form) % len(_IDENTIFIERS)]
            text = f"{spoken}, {clinical}, {identifier}".format(**values)
            removed_name = shown.split()[-1] if form == 2 else shown
            cases.append(Case(text, (removed_name, removed.format(**values)),
                              tuple(k.format(**values) for k in keep), (name,)))
    return cases


CASES = HAND_WRITTEN + _generated()
