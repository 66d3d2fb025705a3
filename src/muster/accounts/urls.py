from django.urls import path

from muster.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.code, name="code"),
    path("sign-in/set-up-app/", views.set_up_app, name="set_up_app"),
    path("sign-out/", views.sign_out, name="sign_out"),
]
