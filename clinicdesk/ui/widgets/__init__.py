"""Small reusable widgets and helpers shared by the views: table models, error banners, chips, messages."""
