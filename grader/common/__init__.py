"""What every stage shares and none owns: the bounds on student text (``bounds``), CSV files
(``csvio``), the Jinja environment (``templating``), student prose as safe HTML (``render``),
and the library versions a check's draws depend on (``environment``). Imports nothing of the
grader but ``grader.errors``."""
