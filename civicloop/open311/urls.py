"""URLs of the open311 app."""

app_name = "open311"
urlpatterns: list = []
