"""Message screens: the patient's Messages tab, the desk's failed messages, template editor, channel settings."""
