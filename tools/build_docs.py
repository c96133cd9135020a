"""Build the docs site: execute every notebook in nbs/ with its outputs captured and render each to HTML in _docs/.

Execution is nbdev's own: notebooks are found with `nbdev.doclinks.nbglob` (folders holding `.notest`, such as the
report templates in `nbs/reports/`, are left out, as `nbdev_test` leaves them out), cells are read with nbdev's
`NBProcessor` and run in an `execnb.CaptureShell`, and the cells flagged with one of `tst_flags` in settings.ini
(`notest`, `slow`) are skipped unless named in `--flags`, exactly as `nbdev_test --flags` does. Pages are rendered
by the one HTML renderer of the package, `clv_research.report.render_html`, with code shown.

    python tools/build_docs.py                 # all notebooks, slow cells skipped, 2 workers
    python tools/build_docs.py --flags slow    # slow cells run too (make docs SLOW=1)
    python tools/build_docs.py --path nbs/04a_clv.ipynb
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing as mp
import os
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "_docs"
EXECUTED = DOCS / "executed"  # the executed notebooks the pages are rendered from


def find_notebooks(path: str | None = None) -> list[Path]:
    "The notebooks `nbdev_test` would run: nbdev's `nbglob`, minus folders holding a `.notest` file."
    from nbdev.doclinks import nbglob
    if path: return [Path(path).resolve()]
    files = [Path(f).resolve() for f in nbglob(as_path=True)]
    return sorted(f for f in files if not (f.parent / ".notest").exists())


def page_name(notebook: Path) -> str: return notebook.stem + ".html"


def front_matter(notebook: Path) -> dict:
    "Title and summary of a notebook, as nbdev reads them from its `# Title` / `> summary` cell (a summary wrapped over lines joined)."
    from execnb.nbio import read_nb
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor
    fm = getattr(NBProcessor(notebook, procs=FrontmatterProc, process=True).nb, "frontmatter_", {})
    summary = fm.get("description", "")
    title_cell = next((c.source for c in read_nb(notebook).cells if c.cell_type == "markdown" and c.source.lstrip().startswith("# ")), "")
    quote = re.search(r"^>\s+(.*?)(?:\n\s*\n|\Z)", title_cell, flags=re.MULTILINE | re.DOTALL)
    if summary and quote and " ".join(quote.group(1).split()).startswith(summary):
        summary = " ".join(line.lstrip("> ").strip() for line in quote.group(1).splitlines())
    return {"title": fm.get("title", notebook.stem), "description": summary}


_LINK = re.compile(r"(\]\(|href=\")([^)\"#\s]+)(#[^)\"\s]*)?")


def rewrite_links(text: str, notebook: Path, pages: dict[str, str], readme: bool) -> str:
    "Point relative links at the site: a built notebook at its page, any other repository file at its path from _docs."
    def fix(m):
        opener, target, anchor = m.group(1), m.group(2), m.group(3) or ""
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"): return m.group(0)
        base = ROOT if readme else notebook.parent  # the readme notebook's links are written for README.md at the top
        resolved = (base / target).resolve()
        if resolved.suffix == ".ipynb" and str(resolved) in pages: return f"{opener}{pages[str(resolved)]}{anchor}"
        return f"{opener}{os.path.relpath(resolved, DOCS)}{anchor}"
    return _LINK.sub(fix, text)


def site_table(entries: list[dict]) -> str:
    "Markdown list of every page of the site with its one-line summary (appended to the home page)."
    cell = lambda text: text.replace("|", "\\|")
    rows = [f"| [{cell(e['title'])}]({e['page']}) | {cell(e['description'])} |" for e in entries]
    return "## Every page of this site\n\n| page | what it shows |\n|---|---|\n" + "\n".join(rows)


def _skip(cell, flags: set) -> str | None:
    "Why a code cell is not executed (nbdev_test's rule), or None to run it."
    if cell.cell_type != "code": return "markdown"
    if "nbdev_export" + "(" in cell.source: return "export call"
    directives = getattr(cell, "directives_", {}) or {}
    if directives.get("eval:", [""])[0].lower() == "false": return "eval: false"
    hit = sorted(flags & directives.keys())
    return f"flagged {', '.join(hit)}" if hit else None


def execute_notebook(notebook: Path, flags: set):
    "The notebook run cell by cell in a CaptureShell from its own folder; raises naming the cell that failed."
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.process import NBProcessor
    nb = NBProcessor(notebook, process=True).nb  # parses and strips the `#|` directives, as nbdev_test does
    shell = CaptureShell(notebook)
    skipped = 0
    with working_directory(notebook.parent):
        for i, cell in enumerate(nb.cells):
            cell.idx_ = i
            why = _skip(cell, flags)
            if why is None:
                shell.cell(cell)
                if shell.exc:
                    first = next((line for line in cell.source.splitlines() if line.strip()), "")
                    raise RuntimeError(f"{notebook.name}: cell #{i + 1} (id {cell.get('id')}, `{first[:80]}`) failed\n"
                                       + shell.prettytb(fname=notebook))
            elif why.startswith("flagged"):
                skipped += 1
                cell.outputs = [{"output_type": "stream", "name": "stdout",
                                 "text": f"[not run in this build: {why}; `make docs SLOW=1` runs it]\n"}]
    return nb, skipped


_SHOW_DOC_CALL = re.compile(r"^show_doc\(.*\)$")
_QUARTO_LINK = re.compile(r'\[([^\]]+)\]\(([^)\s]+)\)\{target="_blank" style="([^"]*)"\}')


def _only(lines_match, source: str) -> bool:
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    return bool(lines) and all(lines_match(line) for line in lines)


def show_doc_markdown(cell) -> str:
    "The markdown a `show_doc` cell displayed, its quarto-only link attributes turned into plain HTML."
    text = "\n\n".join("".join(o["data"]["text/markdown"]) if isinstance(o["data"]["text/markdown"], list)
                        else o["data"]["text/markdown"]
                        for o in cell.get("outputs", []) if "text/markdown" in o.get("data", {}))
    return _QUARTO_LINK.sub(r'<a href="\2" target="_blank" style="\3">\1</a>', text)


def page_cells(nb, notebook: Path, pages: dict, readme: bool):
    "Cells as shown: hidden and directive-only code cells dropped, `show_doc` cells as their docs, links pointed at the site."
    from execnb.nbio import mk_cell
    shown = []
    for cell in nb.cells:
        directives = getattr(cell, "directives_", {}) or {}
        if cell.cell_type == "code":
            hidden = "hide" in directives or directives.get("include:", [""])[0].lower() == "false"
            if hidden or not cell.source.strip(): continue  # executed, but not shown
            if _only(lambda line: line.startswith("#|"), cell.source): continue  # e.g. `#| default_exp data`
            if _only(_SHOW_DOC_CALL.match, cell.source) and cell.get("outputs"):
                cell = mk_cell(show_doc_markdown(cell), "markdown")
        if cell.cell_type == "markdown": cell.source = rewrite_links(cell.source, notebook, pages, readme)
        shown.append(cell)
    return shown


def build_one(notebook: str, flags: list, pages: dict, title: str, extra_markdown: str, readme: bool) -> dict:
    "Execute one notebook and write its executed copy and its page; the outcome (or the error) as a dict."
    import matplotlib
    matplotlib.use("Agg")
    from execnb.nbio import mk_cell, write_nb
    notebook, t0 = Path(notebook), time.perf_counter()
    try:
        nb, skipped = execute_notebook(notebook, set(flags))
        nb.cells = page_cells(nb, notebook, pages, readme)
        if extra_markdown: nb.cells.append(mk_cell(extra_markdown, "markdown"))
        for cell in nb.cells:
            for key in ("directives_", "idx_"): cell.pop(key, None)
        executed = EXECUTED / notebook.name
        write_nb(nb, executed)
        render(executed, DOCS / pages[str(notebook)], title)
    except Exception as e:  # reported by the parent, which stops the build
        return {"notebook": notebook.name, "ok": False, "error": str(e), "seconds": time.perf_counter() - t0}
    return {"notebook": notebook.name, "ok": True, "skipped": skipped, "seconds": time.perf_counter() - t0}


def render(executed: Path, html: Path, title: str):
    "The package's one HTML renderer (the one the reports use), code shown."
    from clv_research.report import render_html
    return render_html(executed, html, title=title, show_input=True)


def build(path: str | None = None, flags: str = "", n_workers: int = 2, keep_going: bool = False) -> int:
    "Build the site; 0 when every notebook ran, 1 (after naming the notebook and cell) when one failed."
    from nbdev.config import get_config
    cfg = get_config()
    skip_flags = set(cfg.tst_flags.split()) - set(flags.split())
    notebooks = find_notebooks(path)
    everything = find_notebooks()
    pages = {str(nb): page_name(nb) for nb in {*everything, *notebooks}}
    readme_nb = (ROOT / cfg.nbs_path / cfg.readme_nb).resolve()
    meta = {str(nb): {**front_matter(nb), "page": page_name(nb)} for nb in {*everything, *notebooks}}
    home_first = sorted(everything, key=lambda nb: (nb != readme_nb, nb.name != "reference.ipynb", nb.name))
    table = site_table([meta[str(nb)] for nb in home_first if nb != readme_nb])
    if path is None and DOCS.exists(): shutil.rmtree(DOCS)  # a full build leaves no page of a deleted notebook
    EXECUTED.mkdir(parents=True, exist_ok=True)
    print(f"docs: {len(notebooks)} notebook(s), skipping cells flagged {sorted(skip_flags) or 'nothing'}, "
          f"{n_workers} worker(s)")
    t0, failed = time.perf_counter(), []
    ctx = mp.get_context("spawn")  # a fresh interpreter per notebook, as if run on its own
    with cf.ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, max_tasks_per_child=1) as pool:
        biggest_first = sorted(notebooks, key=lambda nb: -nb.stat().st_size)  # roughly the longest runs first
        todo = {pool.submit(build_one, str(nb), sorted(skip_flags), pages, meta[str(nb)]["title"],
                            table if nb == readme_nb else "", nb == readme_nb): nb for nb in biggest_first}
        for fut in cf.as_completed(todo):
            out = fut.result()
            if out["ok"]:
                print(f"  {out['notebook']:<22} {out['seconds']:6.1f} s   {out['skipped']} flagged cell(s) not run")
                continue
            failed.append(out)
            print(f"  {out['notebook']:<22} FAILED after {out['seconds']:.1f} s\n{out['error']}", file=sys.stderr)
            if not keep_going:  # start no other notebook; the ones already running finish
                for f in todo: f.cancel()
                break
    elapsed = time.perf_counter() - t0
    if failed:
        print(f"docs: FAILED in {', '.join(f['notebook'] for f in failed)} ({elapsed:.1f} s)", file=sys.stderr)
        return 1
    print(f"docs: {DOCS / 'index.html'} ({elapsed:.1f} s)")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--path", help="one notebook instead of all of nbs/")
    p.add_argument("--flags", default="", help="space-separated test flags to run anyway, e.g. 'slow'")
    p.add_argument("--n_workers", type=int, default=2)
    p.add_argument("--keep-going", action="store_true", help="build the other notebooks after a failure")
    a = p.parse_args(argv)
    os.chdir(ROOT)
    sys.exit(build(a.path, a.flags, a.n_workers, a.keep_going))


if __name__ == "__main__":
    main()
