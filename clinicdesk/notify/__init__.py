"""Channels that carry a message out of the clinic: SMTP email and an HTTP gateway for SMS and WhatsApp."""
