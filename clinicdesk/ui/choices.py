"""Lists offered in combo boxes: Indian states and union territories, languages, and stored choice codes."""

from clinicdesk.ui.i18n import translate

INDIAN_STATES = (
    "Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar", "Chhattisgarh", "Goa", "Gujarat", "Haryana",
    "Himachal Pradesh", "Jharkhand", "Karnataka", "Kerala", "Madhya Pradesh", "Maharashtra", "Manipur", "Meghalaya",
    "Mizoram", "Nagaland", "Odisha", "Punjab", "Rajasthan", "Sikkim", "Tamil Nadu", "Telangana", "Tripura",
    "Uttar Pradesh", "Uttarakhand", "West Bengal", "Andaman and Nicobar Islands", "Chandigarh",
    "Dadra and Nagar Haveli and Daman and Diu", "Delhi", "Jammu and Kashmir", "Ladakh", "Lakshadweep", "Puducherry",
)


def language_choices() -> list[tuple[str, str]]:
    # Each language is named in its own script too, so a patient can point at theirs.
    return [("en", translate("Choices", "English")), ("hi", "हिन्दी — " + translate("Choices", "Hindi")),
            ("ml", "മലയാളം — " + translate("Choices", "Malayalam"))]


def sex_choices() -> list[tuple[str, str]]:
    return [("", translate("Choices", "Choose…")), ("female", translate("Choices", "Female")),
            ("male", translate("Choices", "Male")), ("other", translate("Choices", "Other"))]


def language_label(code: str) -> str:
    return dict(language_choices()).get(code, code)


# Stored codes and the English label shown for each; translate("Codes", ...) finds the translated label.
_CODE_LABELS = {
    "mild": "Mild", "moderate": "Moderate", "severe": "Severe",
    "treatment": "Treatment", "data_processing": "Data processing", "recording": "Audio recording",
    "photography": "Photography", "marketing": "Marketing messages", "research": "Research",
    "contact_sms": "Messages by SMS", "contact_whatsapp": "Messages by WhatsApp", "contact_email": "Messages by email",
    "signed": "Signed on paper", "verbal": "Verbal", "digital": "Digital",
    "sms": "SMS", "whatsapp": "WhatsApp", "email": "Email", "phone": "Phone call",
    "consultation": "Consultation", "abhyanga": "Abhyanga", "swedana": "Swedana", "shirodhara": "Shirodhara",
    "basti": "Basti", "nasya": "Nasya", "vamana_virechana": "Vamana / Virechana", "yoga": "Yoga",
    "recovery": "Recovery", "procedure": "Procedure", "pharmacy": "Pharmacy",
    "any": "Any", "female": "Female", "male": "Male", "other": "Other",
    "pending": "Pending", "verified": "Verified", "rejected": "Rejected",
    "admin": "Administrator", "doctor": "Doctor", "therapist": "Therapist", "nurse": "Nurse",
    "front_desk": "Front desk", "customer_relations": "Customer relations officer",
    "low": "Low", "high": "High",
    "registered": "Registered", "assessment": "Assessment", "consent": "Consent", "document": "Document",
    "allergy": "Allergy",
}


def code_label(code: str) -> str:
    if not code:
        return ""
    english = _CODE_LABELS.get(code) or code.replace("_", " ").capitalize()
    return translate("Codes", english)


def code_choices(codes) -> list[tuple[str, str]]:
    return [(c, code_label(c)) for c in codes]
