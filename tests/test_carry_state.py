"""rlvr/carry_state.sh: the newest checkpoint, final/ and the OCR cache survive a machine that
keeps only the repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "rlvr" / "carry_state.sh"


def _carry(repo: Path, cache: Path, action: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "MEDVIE_CACHE": str(cache), "HOME": str(repo)}
    return subprocess.run(["bash", str(repo / "rlvr" / "carry_state.sh"), action], env=env,
                          capture_output=True, text=True, check=False)


def test_save_then_restore_on_a_fresh_machine(tmp_path):
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "rlvr").mkdir(parents=True)
    shutil.copy(SCRIPT, repo / "rlvr" / "carry_state.sh")
    run = repo / "runs" / "rlvr" / "read-grpo-s0"
    for step in (2, 10, 9, 11):
        (run / f"checkpoint-{step}").mkdir(parents=True)
        (run / f"checkpoint-{step}" / "optimizer.pt").write_text(f"step {step}")
        if step != 11:  # checkpoint-11 is still being written: no trainer_state.json yet
            (run / f"checkpoint-{step}" / "trainer_state.json").write_text("{}")
    (run / "train_log.jsonl").write_text('{"step": 10}\n')
    (cache / "ocr" / "rapidocr" / "ab").mkdir(parents=True)
    (cache / "ocr" / "rapidocr" / "ab" / "abc-1.json").write_text("{}")

    saved = _carry(repo, cache, "save")
    assert saved.returncode == 0, saved.stderr
    state = repo / "rlvr" / "state"
    assert [p.name for p in (state / "runs" / "read-grpo-s0").iterdir() if p.is_dir()] == ["checkpoint-10"]

    shutil.rmtree(repo / "runs")  # the next session's machine: only the repository is there
    shutil.rmtree(cache)
    restored = _carry(repo, cache, "restore")
    assert restored.returncode == 0, restored.stderr
    assert (run / "checkpoint-10" / "optimizer.pt").read_text() == "step 10"
    assert (run / "train_log.jsonl").read_text() == '{"step": 10}\n'
    assert (cache / "ocr" / "rapidocr" / "ab" / "abc-1.json").is_file()
    assert _carry(repo, cache, "oops").returncode == 2


def test_a_finished_run_carries_its_adapter_and_seen_prompts_only(tmp_path):
    """A finished run is evaluated and feeds its data-matched SFT: final/ (without the base
    tokenizer) and seen_prompts.jsonl travel, its optimizer checkpoints do not."""
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "rlvr").mkdir(parents=True)
    shutil.copy(SCRIPT, repo / "rlvr" / "carry_state.sh")
    run = repo / "runs" / "rlvr" / "read-grpo-s1"
    (run / "checkpoint-100").mkdir(parents=True)
    (run / "checkpoint-100" / "optimizer.pt").write_text("big")
    (run / "final").mkdir()
    for name in ("metadata.json", "adapter.gguf", "tokenizer.json"):
        (run / "final" / name).write_text(name)
    (run / "seen_prompts.jsonl").write_text('{"step": 1}\n')

    saved = _carry(repo, cache, "save")
    assert saved.returncode == 0, saved.stderr
    assert "read-grpo-s1 (final)" in saved.stdout
    dest = repo / "rlvr" / "state" / "runs" / "read-grpo-s1"
    assert sorted(p.name for p in dest.rglob("*") if p.is_file()) == [
        "adapter.gguf", "metadata.json", "seen_prompts.jsonl"]

    shutil.rmtree(repo / "runs")
    assert _carry(repo, cache, "restore").returncode == 0
    assert (run / "final" / "adapter.gguf").read_text() == "adapter.gguf"
    assert (run / "seen_prompts.jsonl").is_file()


def _git(repo: Path, *args: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=True).stdout


def test_park_keeps_the_state_in_history_not_in_the_tree(tmp_path):
    """A machine that keeps only the repository: `park` commits rlvr/state/ and takes it out of the
    tree again (a device call carries at most 64 MiB of tree); `restore` on a fresh clone brings the
    checkpoint back. Work staged beside it stays staged and out of both commits."""
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "rlvr").mkdir(parents=True)
    shutil.copy(SCRIPT, repo / "rlvr" / "carry_state.sh")
    (repo / ".gitignore").write_text("/runs/\n/rlvr/state/\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
    (repo / "notes.md").write_text("staged, not committed")
    _git(repo, "add", "notes.md")
    run = repo / "runs" / "rlvr" / "read-grpo-s0"
    (run / "checkpoint-7").mkdir(parents=True)
    (run / "checkpoint-7" / "optimizer.pt").write_text("step 7")
    (run / "checkpoint-7" / "trainer_state.json").write_text("{}")

    env = {"PATH": "/usr/bin:/bin", "MEDVIE_CACHE": str(cache), "HOME": str(repo), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    parked = subprocess.run(["bash", "rlvr/carry_state.sh", "park"], cwd=repo, env=env,
                            capture_output=True, text=True, check=False)
    assert parked.returncode == 0, parked.stderr
    tree = _git(repo, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert "rlvr/state.ref" in tree and not any(p.startswith("rlvr/state/") for p in tree)
    ref = (repo / "rlvr" / "state.ref").read_text().strip()
    assert "rlvr/state/runs/read-grpo-s0/checkpoint-7/optimizer.pt" in _git(repo, "ls-tree", "-r", "--name-only", ref)
    assert _git(repo, "diff", "--cached", "--name-only").split() == ["notes.md"]

    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(repo), str(clone))
    restored = subprocess.run(["bash", "rlvr/carry_state.sh", "restore"], cwd=clone, env=env,
                              capture_output=True, text=True, check=False)
    assert restored.returncode == 0, restored.stderr
    assert (clone / "runs" / "rlvr" / "read-grpo-s0" / "checkpoint-7" / "optimizer.pt").read_text() == "step 7"
