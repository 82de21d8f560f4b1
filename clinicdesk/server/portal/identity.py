"""Who a portal request acts for: the signed-in phone and the one patient record chosen (own, or a child's)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PortalIdentity:
    """A verified portal session. Every read and write of the portal is scoped by centre_id and patient_id."""

    session_id: str  # the portal session's id (never the cookie value itself)
    centre_id: str
    patient_id: str
    phone_last4: str  # for audit and "signed in as ...", never the whole number
    as_guardian: bool  # True when the phone is the guardian's of a minor, not the patient's own
    language: str  # "en", "hi" or "ml": the page language chosen
    csrf_token: str  # a form must send it back (hidden field "csrf")
