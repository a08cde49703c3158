from django.db import models


class Visit(models.Model):
    """One request to the visits page: proof the database answers."""

    at = models.DateTimeField("time of the visit", auto_now_add=True)

    class Meta:
        ordering = ["-at"]
