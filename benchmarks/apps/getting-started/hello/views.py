from django.shortcuts import render

from .models import Visit


def index(request):
    return render(request, "hello/index.html")


def visits(request):
    """Record this visit, then list the latest ones (needs `./manage.py migrate`)."""
    Visit.objects.create()
    return render(request, "hello/visits.html", {"visits": Visit.objects.all()[:10],
                                                 "count": Visit.objects.count()})
