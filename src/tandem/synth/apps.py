from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "tandem.synth"
    label = "synth"
