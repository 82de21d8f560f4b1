"""Administration screens: staff and roles, centres and holidays, rooms, equipment."""
