"""Independent evaluation of the page pipeline (issue #13 part A): real scans, a second generator, a runner.

Nothing here is imported by the application; the pipeline is called only through its public
entry point :func:`counter_app.scanning.pipeline.process_page`.
"""
