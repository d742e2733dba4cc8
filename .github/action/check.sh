#!/usr/bin/env bash
# The `trellis check` step of action.yml, a script so that it is tested
# (tests/it/action.rs) rather than only run on GitHub. Never fails itself:
# it records the gate's exit code as an output, so the SARIF upload and the
# summary happen whatever the outcome, and the action's last step fails.
#   env: TRELLIS_ARGS (split on spaces), TRELLIS_SARIF, TRELLIS_SUMMARY (true/false)
#   GitHub: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP
set -uo pipefail

read -r -a args <<<"${TRELLIS_ARGS:-}"
code=0
trellis check --format github "${args[@]}" || code=$?

if [ "${TRELLIS_SARIF:-false}" = true ]; then
  sarif="${RUNNER_TEMP:-/tmp}/trellis.sarif"
  if trellis check --format sarif "${args[@]}" >"$sarif" || [ $? -eq 1 ]; then
    echo "sarif=$sarif" >>"$GITHUB_OUTPUT"
  else
    echo "::warning title=trellis::no SARIF report: trellis check --format sarif failed"
  fi
fi

if [ "${TRELLIS_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "## trellis"
    echo
    case "$code" in
      0) echo "\`trellis check\`: no findings at the failing level." ;;
      1) echo "\`trellis check\`: findings; see the annotations on the changed files." ;;
      *) echo "\`trellis check\` could not run (exit $code)." ;;
    esac
    echo
    # Exit 1 is a score gate that failed: the card is still there to show.
    card=$(trellis score --format markdown 2>/dev/null)
    score_code=$?
    if [ "$score_code" -le 1 ] && [ -n "$card" ]; then
      echo "$card"
    else
      echo "(no scorecard: trellis score exited $score_code; run it in the job's log to see why)"
    fi
  } >>"$GITHUB_STEP_SUMMARY"
fi

echo "exit-code=$code" >>"$GITHUB_OUTPUT"
exit 0
