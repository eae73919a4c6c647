from django.shortcuts import redirect


def start(request):
    return redirect("web:caseload" if request.user.is_authenticated else "web:sign-in")
