"""Development tooling the installed app never imports.

The provincial-system simulator, the eSCL scanner simulator, the synthetic test pages and their
scoring, and the sample form data live here so that the runtime package ``counter_app`` (and the
Windows bundle built from it) carries none of them. Tests, benchmarks and the README's demo
commands import them from a source checkout.
"""
