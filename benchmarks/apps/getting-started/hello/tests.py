from django.test import TestCase, override_settings

# The manifest storage needs collectstatic's manifest; the tests run without one.
PLAIN_STATIC = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@override_settings(STORAGES=PLAIN_STATIC)
class PagesTests(TestCase):
    def test_index(self):
        response = self.client.get("/")
        self.assertContains(response, "Your Django app is running")
        self.assertContains(response, "/static/hello/style.css")

    def test_visits_are_recorded(self):
        self.client.get("/visits/")
        response = self.client.get("/visits/")
        self.assertContains(response, "2 visits")
