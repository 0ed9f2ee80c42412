"""Examples beside the engine, as an instructor's own would be: a toy assignment pack
(``examples.toypack``, ``grader ... --assignment examples.toypack``) with its reference
(``examples.toyref``) and a class of two notebooks (``toy_submissions/``), and a Moodle
download (``moodle/``). The README's walk-throughs and the tests use them."""
