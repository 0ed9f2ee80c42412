"""Reference solution of every A2 task (instructor side only; never shipped to students)."""
