"""Hostile task folders (issue #17): templates that try to run code or never end, data paths that
leave the task folder, image bombs and damaged images, bad bytes, broken manifests, duplicate
names. Each must give one clear line naming file, line and field, never a traceback or a hang.
Most cases run the real CLI in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from jinja2 import Environment, StrictUndefined

from benchmark.images import MAX_IMAGE_PIXELS, ImageInputError, check_image
from benchmark.models.adapters.images import image_data_url
from benchmark.tasks import TaskError, TaskRegistry, load_documents, load_task_file, task_hash
from benchmark.tasks.templates import TEMPLATE_MAX_CHARS, render_template
from leaderboard.explorer import thumbnail

REPO = Path(__file__).resolve().parents[1]


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``medvie-bench ARGS`` in a fresh process (the test's MEDVIE_CACHE is inherited)."""
    return subprocess.run([sys.executable, "-m", "benchmark.cli", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def png(path: Path, size: tuple[int, int] = (40, 30)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path)
    return path


def blank_png(path: Path, width: int, height: int) -> Path:
    """A valid, all-black 1-bit PNG written without allocating its pixels (a few KB on disk)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row * min(512, height - y)) for y in range(0, height, 512)) + comp.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def write_task(folder: Path, name: str = "hostile", docs: list[dict] | None = None, prompt: dict | None = None,
               source_extra: str = "") -> Path:
    """A JSONL task (manifest ``data.jsonl`` + YAML) in ``folder``; returns the YAML path."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = docs if docs is not None else [{"id": "d000", "gt": {"total": "1.00"}, "ocr": "TOTAL 1.00"}]
    (folder / "data.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    text = (f"name: {name}\nversion: 1\nlanguage: en\n"
            f"source: {{type: jsonl, splits: {{test: data.jsonl}}{source_extra}}}\n"
            "fields:\n  - {key: total, description: amount paid}\n")
    if prompt:
        text += "prompt:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in prompt.items())
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- 1. templates ---------------------------------------------------------------------------------

PAYLOADS = {
    "sandbox-escape": ('{{ cycler.__init__.__globals__.os.popen("id > MARKER").read() }}', "refused by the sandbox"),
    "huge-range": ("{% for i in range(10**9) %}x{% endfor %}", "over the template limit"),
    "huge-string": ("{{ 'a' * 10**9 }}", "over the limit"),
    "nested-loops-silent": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                            "longer than 2 s"),
    "nested-loops-output": ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
                            "over the limit|longer than 2 s"),  # whichever comes first on a busy machine
    "doubling": ('{% set ns = namespace(s="ab") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}'
                 "{% endfor %}{{ ns.s }}", "over the limit"),
    "format-width": ("{{ '{:>999999999}'.format('a') }}", "over the limit"),
    "lazy-list": ("{{ range(100000)|map('string')|map('center', 1000000)|list|length }}", "over the limit"),
    "macro-fan-out": ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
                      "longer than 2 s"),
}


# the system prompt goes through the same renderer: two payloads suffice there
@pytest.mark.parametrize(("case", "field"), [(case, "template") for case in PAYLOADS]
                         + [("sandbox-escape", "system"), ("nested-loops-silent", "system")])
def test_hostile_template_is_refused_fast_by_list_and_validate(tmp_path, case, field):
    marker = tmp_path / "pwned"
    payload, expected = PAYLOADS[case]
    prompt = {"template": "{{ schema }}", field: payload.replace("MARKER", str(marker))}
    task = write_task(tmp_path / "tasks", prompt=prompt)
    start = time.monotonic()
    procs = {code: subprocess.Popen([sys.executable, "-m", "benchmark.cli", *args], cwd=REPO, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for args, code in ((["tasks", "list", "--include-path", str(tmp_path / "tasks")], 2),
                                (["tasks", "validate", str(task)], 1))}  # both at once: half the wait
    for code, proc in procs.items():
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == code, stderr
        assert "Traceback" not in stderr
        assert f"{task}:" in stderr and f"field prompt.{field}:" in stderr
        assert re.search(expected, stderr), stderr
    assert time.monotonic() - start < 30, f"{case}: {time.monotonic() - start:.1f} s"
    assert not marker.exists(), "the template ran a shell command"


def test_a_template_hostile_only_on_real_documents_fails_that_document_only(tmp_path):
    """Validation renders with sample values; a template that turns hostile on a document's own
    OCR text is stopped at run time, and that document becomes an input_error."""
    marker = tmp_path / "pwned"
    evil = ('{% if ocr_text|length > 20 %}{{ cycler.__init__.__globals__.os.popen("id > ' + str(marker)
            + '").read() }}{% endif %}{{ ocr_text }} {{ schema }}')
    docs = [{"id": "d000", "gt": {"total": "1.00"}, "ocr": "TOTAL 1.00"},
            {"id": "d001", "gt": {"total": "2.00"}, "ocr": "A LONGER RECEIPT TEXT\nTOTAL 2.00"}]
    write_task(tmp_path / "tasks", docs=docs, prompt={"template": evil})
    proc = cli("run", "--model", "rules", "--task", "hostile", "--include-path", str(tmp_path / "tasks"),
               "--out", str(tmp_path / "runs"), "--quiet")
    assert "Traceback" not in proc.stderr, proc.stderr
    records = {r["id"]: r for r in map(json.loads, next((tmp_path / "runs").glob("hostile/*/predictions.jsonl"))
                                       .read_text().splitlines())}
    assert records["d000"]["error_kind"] is None
    assert records["d001"]["error_kind"] == "input_error"
    assert "field prompt.template: template refused by the sandbox" in records["d001"]["error"]
    assert not marker.exists()


def test_sandbox_renders_every_builtin_prompt_exactly_like_plain_jinja():
    """Prompt hashes and run cache keys depend on this text: the sandbox must not change it."""
    plain = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    tasks = TaskRegistry([REPO / "rlvr" / "tasks"]).tasks.values()
    contexts = [dict(schema='{\n  "a": ""\n}', keys=["a", "b"], ocr_text=ocr, thinking=thinking, task="t",
                     language="zh") for ocr in ("", "LINE 1\nLINE 2 {{ x }} %}") for thinking in (False, True)]
    sources = {s for t in tasks for s in (t.prompt.template, t.prompt.system) if s}
    assert sources
    for source in sources:
        for ctx in contexts:
            assert render_template(source, **ctx) == plain.from_string(source).render(**ctx)


def test_output_at_the_limit_renders_and_one_more_character_does_not():
    assert len(render_template("{{ ocr_text }}", ocr_text="x" * TEMPLATE_MAX_CHARS)) == TEMPLATE_MAX_CHARS
    with pytest.raises(Exception, match="over the limit"):
        render_template("{{ ocr_text }}!", ocr_text="x" * TEMPLATE_MAX_CHARS)


# -- 2. data paths --------------------------------------------------------------------------------


def _escape_case(tmp_path: Path, case: str) -> tuple[Path, str]:
    """A task whose manifest (or split) points outside its folder; (task YAML, expected text)."""
    folder = tmp_path / "tasks"
    outside = png(tmp_path / "elsewhere" / "page.png")
    doc = {"id": "d000", "gt": {"total": "1.00"}}
    if case == "dotdot":
        doc["image"] = "../../../../../../../etc/hostname"
    elif case == "absolute":
        doc["image"] = "/etc/passwd"
    elif case == "symlink-dev-zero":
        (folder / "img").mkdir(parents=True)
        (folder / "img" / "zero.png").symlink_to("/dev/zero")
        doc["image"] = "img/zero.png"
    elif case == "symlinked-folder":
        folder.mkdir(parents=True)
        (folder / "img").symlink_to(outside.parent, target_is_directory=True)
        doc["image"] = "img/page.png"
    task = write_task(folder, docs=[doc])
    if case == "split-outside":
        (tmp_path / "outside.jsonl").write_text(json.dumps(doc) + "\n")
        task.write_text(task.read_text().replace("test: data.jsonl", "test: ../outside.jsonl"))
        return task, f"{task}:4: field source.splits.test: '../outside.jsonl' resolves to"
    return task, f"{folder / 'data.jsonl'}:1: field image: '{doc['image']}' resolves to"


ESCAPES = ["dotdot", "absolute", "symlink-dev-zero", "symlinked-folder", "split-outside"]


@pytest.mark.parametrize("case", ESCAPES)
def test_data_path_outside_the_task_folder_is_refused(tmp_path, case):
    task, expected = _escape_case(tmp_path, case)
    with pytest.raises(TaskError) as err:
        load_documents(load_task_file(task))
    assert str(err.value).startswith(expected) and "source.allow_paths_outside_folder: true" in str(err.value)
    proc = cli("run", "--model", "rules", "--task", "hostile", "--include-path", str(task.parent),
               "--out", str(tmp_path / "runs"), "--quiet")
    assert one_line_error(proc).startswith(f"medvie-bench: error: {expected}")
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").rglob("predictions.jsonl"))


def test_opting_in_reads_outside_files_but_never_devices(tmp_path):
    outside = png(tmp_path / "elsewhere" / "page.png")
    folder = tmp_path / "tasks"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "zero.png").symlink_to("/dev/zero")
    docs = [{"id": "d000", "gt": {"total": "1"}, "image": str(outside)},
            {"id": "d001", "gt": {"total": "2"}, "image": "img/zero.png"}]
    task = write_task(folder, docs=docs, source_extra=", allow_paths_outside_folder: true")
    with pytest.raises(TaskError, match=r"data\.jsonl:2: field image: not a regular file: .*\(a link to /dev/zero\)"):
        load_documents(load_task_file(task))
    write_task(folder, docs=docs[:1], source_extra=", allow_paths_outside_folder: true")
    assert load_documents(load_task_file(task))[0].image == str(outside.resolve())


def test_the_opt_in_field_leaves_existing_task_hashes_alone(tmp_path):
    task = write_task(tmp_path)
    spec = load_task_file(task)
    assert "allow_paths_outside_folder" not in json.dumps(spec.model_dump(mode="json"))
    write_task(tmp_path, source_extra=", allow_paths_outside_folder: true")
    assert task_hash(load_task_file(task)) != task_hash(spec)


def test_every_builtin_and_rlvr_file_task_still_loads_its_data():
    reg = TaskRegistry([REPO / "rlvr" / "tasks"])
    files = [s for s in reg.tasks.values() if s.source.type == "jsonl"]
    assert files and "med-lab-en-header" in reg.tasks
    for spec in files:
        docs = load_documents(spec)
        assert docs and all(Path(d.image).is_file() for d in docs if d.image)


# -- 3. images -------------------------------------------------------------------------------------


def _truncated_jpeg(path: Path) -> Path:
    from PIL import Image

    Image.effect_noise((300, 200), 60).convert("RGB").save(path, "JPEG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the header is whole, the pixels stop half-way
    return path


def _truncated_png(path: Path) -> Path:
    from PIL import Image

    Image.effect_noise((300, 200), 60).save(path, "PNG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


IMAGE_CASES = {
    "20000x20000-png": (lambda p: blank_png(p / "huge.png", 20000, 20000), "more than 50,000,000 pixels"),
    "8000x8000-png": (lambda p: blank_png(p / "big.png", 8000, 8000), "64,000,000 pixels, more than"),
    "not-an-image": (lambda p: (p / "text.png").write_bytes(b"hello, not a picture") and p / "text.png",
                     "not an image"),
    "truncated-jpeg": (lambda p: _truncated_jpeg(p / "cut.jpg"), "damaged"),
    "truncated-png": (lambda p: _truncated_png(p / "cut.png"), "damaged"),
}


@pytest.mark.parametrize("case", list(IMAGE_CASES))
def test_bad_image_is_refused_everywhere_it_is_decoded(tmp_path, case):
    make, expected = IMAGE_CASES[case]
    path = make(tmp_path)
    start = time.monotonic()
    with pytest.raises(ImageInputError, match=expected):
        check_image(path)
    if not case.startswith("truncated"):  # the others are refused from their header, before decoding
        with pytest.raises(ImageInputError, match=expected):
            image_data_url(path, max_pixels=1_000_000)
    assert thumbnail(path, 96, tmp_path / "thumbs") is None
    assert time.monotonic() - start < 10
    assert MAX_IMAGE_PIXELS == 50_000_000


def test_bad_images_are_input_errors_in_a_run_and_do_not_stop_the_leaderboard(tmp_path):
    folder = tmp_path / "tasks"
    img = folder / "img"
    png(img / "ok.png")
    blank_png(img / "huge.png", 20000, 20000)
    _truncated_jpeg(img / "cut.jpg")
    docs = [{"id": f"d00{i}", "gt": {"total": "1.00"}, "image": f"img/{name}", "ocr": "TOTAL 1.00"}
            for i, name in enumerate(["ok.png", "huge.png", "cut.jpg"])]
    write_task(folder, docs=docs)
    spec = tmp_path / "echo.yaml"
    spec.write_text("name: echo-image\nadapter: tests.slow_adapter:SlowEcho\ninput: image\noptions: {delay_s: 0}\n")
    runs = tmp_path / "runs"
    proc = cli("run", "--model", str(spec), "--task", "hostile", "--include-path", str(folder),
               "--out", str(runs), "--quiet")
    assert "Traceback" not in proc.stderr, proc.stderr
    records = {r["id"]: r for r in map(json.loads, next(runs.glob("hostile/*/predictions.jsonl"))
                                       .read_text().splitlines())}
    assert records["d000"]["error_kind"] is None
    assert records["d001"]["error_kind"] == "input_error" and "50,000,000 pixels" in records["d001"]["error"]
    assert records["d002"]["error_kind"] == "input_error" and "damaged" in records["d002"]["error"]
    # the rules baseline (OCR text only) runs too, so the board has a baseline to compare with
    cli("run", "--model", "rules", "--task", "hostile", "--include-path", str(folder), "--out", str(runs), "--quiet")
    board = cli("leaderboard", "--runs", str(runs), "--include-path", str(folder), "--out", str(tmp_path / "site"),
                "--resamples", "20")
    assert board.returncode == 0 and "Traceback" not in board.stderr, board.stderr
    page = json.loads((tmp_path / "site" / "leaderboard.json").read_text())
    assert page["meta"]["n_included"] == 2


# -- 4. tasks validate --data ------------------------------------------------------------------------


def test_validate_data_lists_every_problem_with_file_line_and_field(tmp_path):
    folder = tmp_path / "tasks"
    png(folder / "img" / "ok.png")
    blank_png(folder / "img" / "huge.png", 20000, 20000)
    (folder / "img" / "junk.png").write_bytes(b"junk")
    png(tmp_path / "outside.png")
    lines = [
        json.dumps({"id": "a", "gt": {"total": "1"}, "image": "img/ok.png"}),  # 1 fine
        '{"id": "b", "gt": {"total": ',  # 2 torn
        json.dumps({"id": "a", "gt": {"total": "1"}}),  # 3 duplicate id
        json.dumps({"id": "c", "gt": {"total": "1"}, "image": "img/missing.png"}),  # 4
        json.dumps({"id": "d", "gt": {"total": "1"}, "image": "../outside.png"}),  # 5
        json.dumps({"id": "e", "gt": {"total": "1"}, "image": "img/huge.png"}),  # 6
        json.dumps({"id": "f", "gt": {"total": "1"}, "image": "img/junk.png"}),  # 7
        json.dumps({"id": "g", "gt": ["total", "1"]}),  # 8 gt a list
        json.dumps({"id": "h", "gt": "total: 1"}),  # 9 gt a string
        json.dumps({"id": "i", "gt": {"totl": "1"}}),  # 10 unknown key
        json.dumps({"id": "j", "gt": {"total": {"value": "1"}}}),  # 11 object for a value
        "5",  # 12 not an object
        json.dumps({"id": 7, "gt": {}}),  # 13 id not a string
    ]
    task = write_task(folder)
    raw = ("\n".join(lines) + "\n").encode() + b'{"id": "k", "gt": {"total": "\xff\xfe"}}\n'  # 14 not UTF-8
    (folder / "data.jsonl").write_bytes(raw)
    proc = cli("tasks", "validate", "--data", str(task))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    manifest = folder / "data.jsonl"
    expected = {
        2: "not a JSON object", 3: "field id: duplicate document id 'a' (first on line 1)",
        4: "field image: file not found", 5: "field image: '../outside.png' resolves to",
        6: "field image: image", 7: "field image: image", 8: "field gt: must be a JSON object",
        9: "field gt: must be a JSON object", 10: "field gt.totl: unknown key", 11: "field gt.total: expected a value",
        12: "not a JSON object: got a number", 13: "field id: Input should be a valid string", 14: "not UTF-8 text",
    }
    problems = [ln for ln in proc.stderr.splitlines() if ln.startswith(str(manifest))]
    for line, text in expected.items():
        assert any(p.startswith(f"{manifest}:{line}: {text}") for p in problems), (line, proc.stderr)
    assert len(problems) == len(expected)
    assert "did you mean 'total'" in proc.stderr.lower()
    assert "13 problem(s)" in proc.stderr


def test_validate_data_of_good_tasks_exits_0(tmp_path):
    folder = tmp_path / "tasks"
    png(folder / "img" / "ok.png")
    task = write_task(folder, docs=[{"id": "a", "gt": {"total": "1"}, "image": "img/ok.png"}])
    proc = cli("tasks", "validate", "--data", str(task))
    assert proc.returncode == 0 and "ok  hostile" in proc.stdout, proc.stderr
    assert cli("tasks", "validate", "--data").returncode == 0  # the built-in tasks


# -- duplicate names ---------------------------------------------------------------------------------


def test_two_files_of_one_folder_with_one_name_are_an_error_naming_both(tmp_path):
    first = write_task(tmp_path / "tasks" / "a")
    second = write_task(tmp_path / "tasks" / "b")
    line = one_line_error(cli("tasks", "list", "--include-path", str(tmp_path / "tasks")))
    assert f"{second}:1: field name: task 'hostile' is also defined by {first}" in line
    proc = cli("tasks", "validate", "--include-path", str(tmp_path / "tasks"))
    assert proc.returncode == 1 and "is also defined by" in proc.stderr


def test_a_later_folder_overrides_with_one_clean_line(tmp_path):
    write_task(tmp_path / "one")
    write_task(tmp_path / "two")
    proc = cli("tasks", "list", "--include-path", str(tmp_path / "one"), "--include-path", str(tmp_path / "two"))
    assert proc.returncode == 0
    assert proc.stderr.strip() == (f"medvie-bench: note: task 'hostile' from {tmp_path / 'two' / 'hostile.yaml'} "
                                   f"overrides the one from {tmp_path / 'one' / 'hostile.yaml'}")
    user = write_task(tmp_path / "mine", name="sroie-sample")
    proc = cli("tasks", "list", "--include-path", str(tmp_path / "mine"))
    assert proc.returncode == 0 and proc.stderr.count("\n") == 1 and f"from {user} overrides" in proc.stderr


# -- 5. bytes and shapes -------------------------------------------------------------------------------


def test_task_yaml_that_is_not_utf8_is_one_line(tmp_path):
    task = write_task(tmp_path / "tasks")
    task.write_bytes(task.read_bytes().replace(b"amount paid", b"amount \xff paid"))
    line = one_line_error(cli("tasks", "list", "--include-path", str(tmp_path / "tasks")))
    assert line == f"medvie-bench: error: {task}:6: not UTF-8 text (byte 0xff at column 38); save it as UTF-8"


@pytest.mark.parametrize("case", ["not-utf8", "gt-list", "gt-string", "torn", "too-deep"])
def test_bad_manifest_line_is_one_line_naming_file_and_line(tmp_path, case):
    task = write_task(tmp_path / "tasks")
    manifest = tmp_path / "tasks" / "data.jsonl"
    good = manifest.read_bytes()
    bad = {"not-utf8": b'{"id": "x", "gt": {"total": "\xc3("}}', "gt-list": b'{"id": "x", "gt": [1, 2]}',
           "gt-string": b'{"id": "x", "gt": "1.00"}', "torn": b'{"id": "x", "gt": {"tot',
           "too-deep": b'{"id": "x", "gt": {"total": ' + b"[" * 5000 + b"]" * 5000 + b"}}"}[case]
    manifest.write_bytes(good + bad + b"\n")
    line = one_line_error(cli("run", "--model", "rules", "--task", "hostile", "--include-path", str(task.parent),
                              "--out", str(tmp_path / "runs"), "--quiet"))
    assert line.startswith(f"medvie-bench: error: {manifest}:2: ")
    assert {"not-utf8": "not UTF-8 text (byte 0xc3", "gt-list": "field gt: must be a JSON object",
            "gt-string": "field gt: must be a JSON object (field name → value), got a string",
            "torn": "not a JSON object",
            "too-deep": "nests too deeply"}[case] in line


@pytest.mark.parametrize("case", ["alias-bomb", "deep-nesting", "not-a-mapping", "too-large"])
def test_hostile_yaml_is_one_line(tmp_path, case):
    task = write_task(tmp_path / "tasks")
    text = task.read_text()
    if case == "alias-bomb":
        text += "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9 if i else ['1'] * 9)}]\n" for i in range(9))
    elif case == "deep-nesting":
        text += "x: " + "[" * 1500 + "]" * 1500 + "\n"
    elif case == "not-a-mapping":
        text = "- just\n- a list\n"
    else:
        text += "description: " + "x" * (2 << 20) + "\n"
    task.write_text(text)
    line = one_line_error(cli("tasks", "list", "--include-path", str(tmp_path / "tasks")))
    assert line.startswith(f"medvie-bench: error: {task}: ")
    assert {"alias-bomb": "expands to more than", "deep-nesting": "nests too deeply",
            "not-a-mapping": "must be a YAML mapping", "too-large": "larger than"}[case] in line


def test_registry_is_not_confused_by_the_same_folder_twice(tmp_path, monkeypatch):
    write_task(tmp_path / "tasks")
    monkeypatch.setenv("MEDVIE_INCLUDE_PATH", str(tmp_path / "tasks"))
    proc = cli("tasks", "list", "--include-path", str(tmp_path / "tasks"))
    assert proc.returncode == 0 and proc.stderr == "" and "hostile" in proc.stdout
    assert os.environ["MEDVIE_INCLUDE_PATH"] == str(tmp_path / "tasks")


# -- 6. extends ------------------------------------------------------------------------------------------


def test_every_committed_run_still_resolves_to_its_task_hash():
    """Run cache keys include task_hash: the medical base refactor (and the sandbox, the opt-in
    field) must leave every committed run's task exactly as it was."""
    reg = TaskRegistry([REPO / "rlvr" / "tasks"])
    manifests = sorted((REPO / "leaderboard" / "runs").glob("*/*/manifest.json"))
    assert manifests
    for path in manifests:
        task = json.loads(path.read_text())["task"]
        assert task_hash(reg.get(task["name"])) == task["hash"], path


def test_medical_tasks_extend_one_base():
    reg = TaskRegistry()
    children = sorted((REPO / "tasks" / "medical").glob("med-*.yaml"))
    based = [p for p in children if "extends: _base-medical.yaml" in p.read_text(encoding="utf-8")]
    assert len(based) >= 10 and "_base-medical" not in " ".join(reg.tasks)
    fields = {json.dumps([f.model_dump() for f in reg.tasks[p.stem].fields]) for p in based}
    assert len(fields) == 1


def _child(folder: Path, body: str, base: str = "") -> Path:
    write_task(folder)  # the manifest
    if base:
        (folder / "_base.yaml").write_text(base, encoding="utf-8")
    (folder / "hostile.yaml").write_text(body, encoding="utf-8")
    return folder / "hostile.yaml"


BASE = ("version: 1\nlanguage: en\nsource: {type: jsonl, splits: {test: data.jsonl}}\n"
        "fields:\n  - {key: total, description: amount paid}\n")


def test_a_child_task_is_its_base_plus_what_it_states(tmp_path):
    flat = load_task_file(write_task(tmp_path / "flat"))
    child = load_task_file(_child(tmp_path / "child", "extends: _base.yaml\nname: hostile\n", BASE))
    assert task_hash(child) == task_hash(flat)
    over = load_task_file(_child(tmp_path / "over", "extends: _base.yaml\nname: hostile\nversion: 2\n"
                                 "source: {splits: {test: data.jsonl, dev: data.jsonl}}\n", BASE))
    assert over.version == 2 and set(over.source.splits) == {"test", "dev"} and over.source.type == "jsonl"


@pytest.mark.parametrize("case", ["unknown-key", "inherited-template", "no-name", "loop", "outside", "missing"])
def test_errors_of_a_child_task_name_the_child_file(tmp_path, case):
    folder = tmp_path / "tasks"
    body, base, expected = "extends: _base.yaml\nname: hostile\n", BASE, ""
    if case == "unknown-key":
        body += "tagz: [x]\n"
        expected = "hostile.yaml: invalid task"
    elif case == "inherited-template":
        base += "prompt:\n  template: '{{ cycler.__init__.__globals__ }}'\n"
        expected = "hostile.yaml: field prompt.template (from "
    elif case == "no-name":
        body = "extends: _base.yaml\n"
        expected = "hostile.yaml: field name: a task that extends another must set its own name"
    elif case == "loop":
        base = "extends: hostile.yaml\n" + BASE
        expected = "_base.yaml:1: field extends: 'hostile.yaml' loops back"
    elif case == "outside":
        body = "extends: ../_base.yaml\nname: hostile\n"
        (tmp_path / "_base.yaml").write_text(BASE)
        expected = "hostile.yaml:1: field extends: '../_base.yaml' resolves to"
    else:
        body = "extends: _nope.yaml\nname: hostile\n"
        expected = "_nope.yaml: not a regular file"
    task = _child(folder, body, base)
    with pytest.raises(TaskError) as err:
        load_task_file(task)
    assert expected in str(err.value)
    if case == "unknown-key":  # a schema error lists each problem under one header line
        assert "  - line 3: field tagz: unknown key (did you mean 'tags'?)" in str(err.value)
    else:
        assert expected in one_line_error(cli("tasks", "list", "--include-path", str(folder)))


def test_hf_source_paths_and_ids_stay_inside(tmp_path, monkeypatch):
    """A local HF path outside the folder is refused like a manifest; an id column value that
    looks like a path never names a file outside the image cache."""
    folder = tmp_path / "tasks"
    folder.mkdir()
    text = ("name: hf-hostile\nversion: 1\nlanguage: en\n"
            "source: {type: hf, path: PATH, splits: {test: test}, id_column: id}\nfields: [{key: total}]\n")
    (folder / "hf.yaml").write_text(text.replace("PATH", "../data.parquet"))
    (tmp_path / "data.parquet").write_bytes(b"PAR1")
    with pytest.raises(TaskError, match=r"hf\.yaml:4: field source\.path: '\.\./data\.parquet' resolves to"):
        load_task_file(folder / "hf.yaml")
    datasets = pytest.importorskip("datasets")
    from PIL import Image

    rows = [{"id": "../../../escaped", "image": Image.new("RGB", (20, 10)), "ground_truth": '{"total": "1"}'}]
    datasets.Dataset.from_list(rows).cast_column("image", datasets.Image()).to_parquet(str(folder / "d.parquet"))
    (folder / "hf.yaml").write_text(text.replace("PATH", "d.parquet"))
    monkeypatch.setenv("MEDVIE_CACHE", str(tmp_path / "cache"))
    [doc] = load_documents(load_task_file(folder / "hf.yaml"))
    assert doc.id == "../../../escaped"
    assert Path(doc.image).parent == tmp_path / "cache" / "hf-images" / "hf-hostile" / "test"
    assert not list(tmp_path.glob("**/escaped*"))
