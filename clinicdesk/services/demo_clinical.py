"""Clinical pools for the demo clinic: conditions with their usual medicines, allergies, history and habits."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Condition:
    """A presenting or chronic problem, who tends to have it, the dosha it aggravates and its usual medicines."""

    text: str
    min_age: int = 18
    sex: str = ""  # "" for anyone
    dosha: str = "vata"
    medicines: tuple[tuple[str, str, str], ...] = ()  # (name, dose, frequency)


CONDITIONS = (
    Condition("Chronic low back pain (L4-L5 disc bulge on MRI); worse after long sitting", dosha="vata",
              medicines=(("Dhanwantharam kashayam", "15 ml", "twice daily before food"),)),
    Condition("Psoriasis: plaques on elbows and scalp, flares in winter", dosha="pitta",
              medicines=(("Methotrexate", "7.5 mg", "once weekly"),)),
    Condition("Irritable bowel syndrome (IBS-D), bloating after meals", dosha="vata",
              medicines=(("Takrarishta", "20 ml", "twice daily after food"),)),
    Condition("Migraine without aura, 2-3 episodes a month", dosha="pitta",
              medicines=(("Propranolol", "20 mg", "twice daily"),)),
    Condition("Type 2 diabetes mellitus, HbA1c 7.4 % last quarter", min_age=30, dosha="kapha",
              medicines=(("Metformin", "500 mg", "twice daily after food"),)),
    Condition("Osteoarthritis of both knees, pain climbing stairs", min_age=45, dosha="vata",
              medicines=(("Yogaraja guggulu", "2 tablets", "twice daily"),)),
    Condition("Essential hypertension", min_age=35, dosha="pitta",
              medicines=(("Amlodipine", "5 mg", "once daily"), ("Telmisartan", "40 mg", "once daily"))),
    Condition("Hypothyroidism", dosha="kapha", medicines=(("Levothyroxine", "50 mcg", "once daily, empty stomach"),)),
    Condition("Cervical spondylosis with tingling in the right arm", min_age=35, dosha="vata"),
    Condition("Rheumatoid arthritis, morning stiffness about an hour", min_age=25, dosha="vata",
              medicines=(("Hydroxychloroquine", "200 mg", "once daily"),)),
    Condition("Insomnia, difficulty falling asleep", dosha="vata",
              medicines=(("Ashwagandha churna", "3 g", "at bedtime with warm milk"),)),
    Condition("Hyperacidity and gastritis", dosha="pitta",
              medicines=(("Pantoprazole", "40 mg", "once daily before breakfast"),
                         ("Avipattikar churna", "5 g", "at bedtime"))),
    Condition("Allergic rhinitis, sneezing every morning", dosha="kapha",
              medicines=(("Cetirizine", "10 mg", "at bedtime when needed"),)),
    Condition("Obesity (BMI 32), wants to lose weight", dosha="kapha"),
    Condition("Sciatica, left leg", min_age=25, dosha="vata"),
    Condition("Atopic eczema on both hands", min_age=5, dosha="pitta"),
    Condition("Anxiety and work stress, palpitations before deadlines", dosha="vata"),
    Condition("Frozen shoulder (right), restricted overhead movement", min_age=40, dosha="vata"),
    Condition("Chronic constipation", min_age=5, dosha="vata",
              medicines=(("Triphala churna", "5 g", "at bedtime with warm water"),)),
    Condition("Polycystic ovary syndrome, irregular cycles", sex="female", dosha="kapha"),
    Condition("Perimenopausal hot flushes and poor sleep", min_age=45, sex="female", dosha="pitta"),
    Condition("Benign prostatic hyperplasia, night-time urination", min_age=55, sex="male", dosha="vata",
              medicines=(("Tamsulosin", "0.4 mg", "at bedtime"),)),
    Condition("Dyslipidaemia", min_age=35, dosha="kapha", medicines=(("Atorvastatin", "10 mg", "at bedtime"),)),
    Condition("Bronchial asthma, worse in the monsoon", min_age=5, dosha="kapha",
              medicines=(("Salbutamol inhaler", "2 puffs", "when wheezy"),)),
)

# (substance, reaction, severity). Sesame oil matters here: it is the base of most abhyanga oils.
ALLERGIES = (
    ("Sesame oil", "itching and rash after oil massage", "moderate"),
    ("Penicillin", "urticaria and facial swelling", "severe"),
    ("Dust mites", "sneezing and wheeze", "mild"),
    ("Pollen", "runny nose, watery eyes", "mild"),
    ("Sulfonamides", "skin rash", "moderate"),
    ("Peanuts", "lip swelling", "severe"),
    ("Shellfish", "hives", "moderate"),
    ("Latex", "contact dermatitis", "mild"),
    ("Ibuprofen", "acidity and wheeze", "moderate"),
    ("Mustard oil", "burning sensation on skin", "mild"),
)

FAMILY_HISTORY = (
    "Father: type 2 diabetes. Mother: hypertension.", "Mother: hypothyroidism.", "Father: heart attack at 58.",
    "No significant family history.", "Both parents diabetic.", "Mother: rheumatoid arthritis.",
    "Father: psoriasis.", "Elder brother: asthma.", "Grandmother: osteoarthritis of knees.",
)
LIFESTYLE = (
    "Desk job, sits 9-10 hours a day; walks 20 minutes in the evening.", "Night shifts twice a week.",
    "Regular yoga every morning.", "Smokes about 5 cigarettes a day; wants to quit.", "Occasional alcohol.",
    "Sleeps after midnight, uses the phone in bed.", "Travels for work most weeks.", "Retired; gardens daily.",
    "Cares for an elderly parent at home.", "Plays badminton on weekends.",
)
DIET_KERALA = ("Non-vegetarian, fish most days; rice twice a day.", "Vegetarian; coconut-based curries.",
               "Mixed diet; fried snacks in the evening.", "Non-vegetarian; beef and fish weekly; tea thrice a day.")
DIET_GENERAL = ("Vegetarian.", "Eggetarian.", "Mixed diet, spicy food, irregular meal times.", "Vegan for 2 years.",
                "Vegetarian; Jain food, no root vegetables.", "Non-vegetarian twice a week; coffee 4 cups a day.")
OCCUPATIONS = ("Software engineer", "School teacher", "Homemaker", "Retired bank officer", "Business owner",
               "Farmer", "Nurse", "Accountant", "Student", "Government employee", "Shopkeeper", "Civil engineer",
               "Lawyer", "Auto-rickshaw driver", "Tailor", "IT consultant", "College lecturer", "Pharmacist")
ASSESSMENT_NOTES = (
    "Nadi: {prakriti}. Jihva coated (sama). Advised deepana-pachana for 3 days before snehapana.",
    "Nadi: {prakriti}. Tongue clear. Suitable for abhyanga and swedana; review after 7 days.",
    "Prakriti {prakriti}. Vikriti shows {vikriti} aggravation; consider virechana after preparation.",
    "Prakriti {prakriti}. Light diet (laghu ahara) and takra for a week before snehana; shirodhara for sleep.",
    "Prakriti {prakriti}. Mild {vikriti} imbalance. Lifestyle counselling given (dinacharya).",
)
RELATIONS = ("Spouse", "Father", "Mother", "Son", "Daughter", "Brother", "Sister")
