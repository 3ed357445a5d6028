"""What commands print: text for people, ids only (-q) for shell scripts, JSON (--json) for
programs. Messages about the work in progress go to stderr so stdout stays parseable."""
import json
import sys

TEXT, QUIET, JSON = "text", "quiet", "json"


class Output:
    def __init__(self, mode=TEXT, stdout=None, stderr=None):
        self.mode = mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.documents = []
        self._progress_shown = False

    def record(self, document, quiet=None, text=None):
        """One result: `document` for --json, the `quiet` line(s) for -q, `text` otherwise."""
        if self.mode == JSON:
            self.documents.append(document)
        elif self.mode == QUIET:
            self._print(quiet)
        else:
            self._print(text)

    def table(self, headers, rows, documents, ids, details=()):
        """Aligned columns for people, one id per line with -q, the documents with --json.
        `details` are lines printed under each row."""
        if self.mode == JSON:
            self.documents.extend(documents)
            return
        if self.mode == QUIET:
            for identifier in ids:
                self._print(identifier)
            return
        widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
        self._print(_aligned(headers, widths))
        for index, row in enumerate(rows):
            self._print(_aligned(row, widths))
            for line in details[index] if details else ():
                self._print("    " + line)

    def note(self, text):
        """A line for people only: banners and explanations."""
        if self.mode == TEXT:
            self._print(text)

    def progress(self, label):
        """A progress indicator on stderr: the state when it changes, a dot while it stays."""
        if self.mode != TEXT:
            return None
        seen = []

        def show(state):
            if not seen:
                # What stdout holds comes first: with both streams in one file (2>&1) a
                # buffered line would otherwise land after, or inside, the progress line.
                self.stdout.flush()
                self.stderr.write(f":: {label}: {state}")
            elif state != seen[-1]:
                self.stderr.write(f" {state}")
            else:
                self.stderr.write(".")
            if not seen or state != seen[-1]:
                seen.append(state)
            self._progress_shown = True
            self.stderr.flush()

        return show

    def end_progress(self):
        if self._progress_shown:
            self.stderr.write("\n")
            self.stderr.flush()
            self._progress_shown = False

    def warn(self, message):
        self.end_progress()
        self.stderr.write(f"[WARNING] {message}\n")

    def error(self, message):
        self.end_progress()
        self.stderr.write(f"[ERROR] {message}\n")

    def finish(self):
        if self.mode == JSON:
            json.dump(self.documents, self.stdout, indent=2)
            self.stdout.write("\n")
        self.stdout.flush()

    def _print(self, text):
        if text is None:
            return
        self.stdout.write(text if text.endswith("\n") else text + "\n")


def _aligned(cells, widths):
    return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)).rstrip()
