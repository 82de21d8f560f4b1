"""The enquiries (leads) pipeline screens: the list with history and actions, and the conversion funnel."""
