"""URLs of the console app."""

app_name = "console"
urlpatterns: list = []
