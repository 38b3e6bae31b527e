// The files `supportsync init` writes. They are this repository's own
// config/ and CI workflow, byte for byte (a test holds them equal, the
// workflow rendered for `./` on main), so the example a new user starts from
// is the one this repository runs. Regenerate by copying the files in when
// they change.

extension Scaffold {
    /// `config/defaults.yaml`: the `support:` block every agent inherits. (`config/defaults.yaml` in this repository)
    public static let defaultsTemplate = #"""
        # Settings every agent inherits. An agent's own file wins key by key;
        # lists replace; `key: null` in an agent's file removes an inherited key.
        support:
          flag:
            collect:
              - name
              - field: email
                required: true
            priority: normal

        """#

    /// An agent in mode `nothing`. (`config/agents/store-info.yaml` in this repository)
    public static let nothingAgentTemplate = #"""
        # Answers opening-hours and stock questions on chat; nothing to escalate.
        agent: store-info
        name: Store information
        channels: [messages]
        support:
          mode: nothing

        """#

    /// An agent in mode `flag`. (`config/agents/returns-chat.yaml` in this repository)
    public static let flagAgentTemplate = #"""
        # Returns on chat and WhatsApp: cases it cannot solve become tickets.
        agent: returns-chat
        name: Returns assistant
        channels: [messages]
        support:
          mode: flag
          flag:
            collect:
              - name
              - field: email
                required: true
              - field: order_id
                label: Order number
                required: true
            priority: high
            tags: [returns]

        """#

    /// An agent in mode `escalate`, with hours and two destinations. (`config/agents/billing-line.yaml` in this repository)
    public static let escalateAgentTemplate = #"""
        # The billing phone line: a human takes the call while the desk is open.
        agent: billing-line
        name: Billing line
        channels: [calls]
        support:
          mode: escalate
          escalate:
            destinations:
              - name: billing-desk
                number: "+34910000000"
                extension: "204"
              - name: on-call
                sip: "sip:oncall@pbx.example.com"
            transfer: warm
            summary: true
            announce: "Connecting you with a colleague from billing."
            ring_timeout: 25
            hours:
              timezone: Europe/Madrid
              weekly:
                mon-fri: ["09:00-13:00", "14:00-18:00"]
                sat: "10:00-14:00"
              closed: ["2026-12-25", "2027-01-01"]
            fallback: flag
          flag:
            tags: [billing]

        """#

    /// An agent in mode `decide`. (`config/agents/concierge.yaml` in this repository)
    public static let decideAgentTemplate = #"""
        # The main line, on calls and chat: the agent chooses per conversation.
        agent: concierge
        name: Concierge
        channels: [calls, messages]
        support:
          mode: decide
          decide:
            allow: [respond, flag, escalate]
            guidance: |
              Escalate disputed charges over 500 EUR while the desk is open.
              Flag anything that needs a refund or a change to an order.
          escalate:
            destinations:
              - name: front-desk
                number: "+34910000001"
            hours:
              timezone: Europe/Madrid
              weekly:
                mon-fri: "09:00-19:00"
          flag:
            tags: [concierge]

        """#

    /// `.github/workflows/supportsync.yml` with placeholders: `%VERSION%`,
    /// `%BRANCH%` (in text), `%BRANCH_VALUE%` (a YAML value), `%ACTION%` and
    /// `%COMMENT_ACTION%` (see `workflow(action:branch:)`).
    /// This repository's own workflow is it rendered for `./` on main.
    public static let workflowTemplate = #"""
        # Written by supportsync %VERSION% (supportsync init). `supportsync init --check`
        # shows what a newer version would change here.
        #
        # supportsync: support settings in config/ and flagged tickets in tickets/.
        #
        # Pull requests: validate config/ (annotations on the diff), run the policy
        # scenarios of config/tests/, plan it against the platform (with what
        # changes for customers), audit the ticket changes, and keep one comment on the pull
        # request with the plan and the ticket changes, updated on every push.
        # Pushes to %BRANCH%, every 15 minutes, a platform webhook (repository_dispatch)
        # and by hand: sync (apply config/, pull new tickets into one commit, push the
        # team's ticket changes), then push the ticket commit and the platform base
        # back to %BRANCH%.
        #
        # Repository secrets, given only to the supportsync steps:
        #   SUPPORTSYNC_PLATFORM     the platform API's URL
        #   SUPPORTSYNC_READ_TOKEN   a token with the read scope, for pull requests
        #   SUPPORTSYNC_SYNC_TOKEN   a token with the sync scope, for the sync job
        # Neither may reveal or erase customer data, which stays sealed in git.
        # A protected %BRANCH% (a ruleset or branch protection) needs a GitHub App the
        # ruleset lets bypass it: set the repository variable SUPPORTSYNC_APP_CLIENT_ID
        # and the secret SUPPORTSYNC_APP_PRIVATE_KEY, and the sync job pushes with the
        # app's token (README: "Protected branches").
        name: supportsync

        on:
          pull_request:
          push:
            branches: [%BRANCH_VALUE%]
          schedule:
            # Every 15 minutes, off the hour: GitHub delays scheduled runs at minute 0.
            - cron: "7,22,37,52 * * * *"
          repository_dispatch:
            # POST /repos/OWNER/REPO/dispatches {"event_type": "supportsync-sync"}
            # from a platform webhook starts a sync at once.
            types: [supportsync-sync]
          workflow_dispatch:

        jobs:
          review:
            if: github.event_name == 'pull_request'
            runs-on: ubuntu-latest
            permissions:
              contents: read
              pull-requests: write # the one review comment
            concurrency:
              group: supportsync-review-${{ github.event.pull_request.number }}
              cancel-in-progress: true
            steps:
              - uses: actions/checkout@v7
                with:
                  fetch-depth: 0 # audit reads every commit of the pull request
              - uses: %ACTION%
                id: supportsync
              # Each check runs even when an earlier one failed, so a review sees them all.
              - name: Validate config/
                run: supportsync validate --format github
              - name: Test the support policy (config/tests/)
                if: ${{ !cancelled() && steps.supportsync.outcome == 'success' }}
                run: supportsync test --format github
              - name: Plan
                if: ${{ !cancelled() && steps.supportsync.outcome == 'success' }}
                env:
                  SUPPORTSYNC_PLATFORM: ${{ secrets.SUPPORTSYNC_PLATFORM }}
                  SUPPORTSYNC_TOKEN: ${{ secrets.SUPPORTSYNC_READ_TOKEN }}
                run: |
                  supportsync plan --format markdown > "$RUNNER_TEMP/plan.md"
                  cat "$RUNNER_TEMP/plan.md" >> "$GITHUB_STEP_SUMMARY"
              - name: Ticket changes
                if: ${{ !cancelled() && steps.supportsync.outcome == 'success' }}
                run: |
                  supportsync tickets diff --base "origin/${{ github.base_ref }}" --format markdown > "$RUNNER_TEMP/tickets.md"
                  cat "$RUNNER_TEMP/tickets.md" >> "$GITHUB_STEP_SUMMARY"
              - name: Audit ticket changes
                if: ${{ !cancelled() && steps.supportsync.outcome == 'success' }}
                run: supportsync audit --base "origin/${{ github.base_ref }}" --format github
              - name: Comment the plan and the ticket changes
                # Pull requests from forks get a read-only token: the job summary has it all.
                if: ${{ !cancelled() && steps.supportsync.outcome == 'success' && github.event.pull_request.head.repo.full_name == github.repository }}
                uses: %COMMENT_ACTION%
                with:
                  files: |
                    ${{ runner.temp }}/plan.md
                    ${{ runner.temp }}/tickets.md

          sync:
            # Not for the ticket commit this job pushed itself (an app's push starts a run).
            if: >-
              github.event_name != 'pull_request' && github.ref == 'refs/heads/%BRANCH%' &&
              !(github.event_name == 'push' && contains(github.event.head_commit.message, 'Supportsync-Cursor:'))
            runs-on: ubuntu-latest
            permissions:
              contents: write # the ticket commit is pushed back to %BRANCH%
            concurrency:
              group: supportsync-sync # two runs never sync at once; a waiting run is queued, not cancelled
              cancel-in-progress: false
            steps:
              - name: Token that may push to a protected branch
                id: app-token
                if: ${{ vars.SUPPORTSYNC_APP_CLIENT_ID != '' }}
                uses: actions/create-github-app-token@v3
                with:
                  client-id: ${{ vars.SUPPORTSYNC_APP_CLIENT_ID }}
                  private-key: ${{ secrets.SUPPORTSYNC_APP_PRIVATE_KEY }}
              - uses: actions/checkout@v7
                with:
                  # The branch as it is now, not the commit that started the run: a run
                  # queued behind another sync starts after that sync's ticket commit.
                  ref: %BRANCH_VALUE%
                  fetch-depth: 0 # ticket history and the pull cursor live in git
                  token: ${{ steps.app-token.outputs.token || github.token }}
              - uses: %ACTION%
              - name: Fetch the platform base
                # What the platform last reported per ticket; it moves together with %BRANCH%.
                run: git fetch origin '+refs/supportsync/*:refs/supportsync/*'
              - name: Sync
                id: sync
                env:
                  SUPPORTSYNC_PLATFORM: ${{ secrets.SUPPORTSYNC_PLATFORM }}
                  SUPPORTSYNC_TOKEN: ${{ secrets.SUPPORTSYNC_SYNC_TOKEN }}
                run: supportsync sync --summary-file "$GITHUB_STEP_SUMMARY"
              - name: Push the ticket commit back
                # Also after a sync that exits 1 (a conflict, a refused agent): what it
                # committed is still pushed, and the job still fails.
                if: ${{ !cancelled() && steps.sync.outcome != 'skipped' }}
                env:
                  BRANCH: %BRANCH_VALUE%
                run: |
                  refs=("HEAD:refs/heads/$BRANCH")
                  if git show-ref --verify --quiet refs/supportsync/platform; then
                    refs+=(refs/supportsync/platform:refs/supportsync/platform)
                  fi
                  for _ in 1 2 3; do
                    # Atomic: the branch and the platform base move together or not at all.
                    if output=$(git push --atomic origin "${refs[@]}" 2>&1); then
                      echo "$output"
                      exit 0
                    fi
                    echo "$output"
                    if grep -qiE 'protected branch|GH006|GH013|rule violation|repository rule' <<<"$output"; then
                      echo "::error title=supportsync::$BRANCH is protected and rejected the ticket commit. Create a GitHub App with Contents read and write, add it to the bypass list of the ruleset that protects $BRANCH, then set the repository variable SUPPORTSYNC_APP_CLIENT_ID and the secret SUPPORTSYNC_APP_PRIVATE_KEY: this job then pushes with the app's token (README: Protected branches)."
                      exit 1
                    fi
                    if grep -qE 'refs/supportsync/platform .*\((fetch first|non-fast-forward)\)' <<<"$output"; then
                      echo "::error title=supportsync::the platform base (refs/supportsync/platform) moved on origin since this run fetched it (another sync, or a push by hand): nothing was pushed; the next run fetches it and pulls again"
                      exit 1
                    fi
                    # $BRANCH moved meanwhile (a merge landed): merge it in. Not a rebase: the
                    # platform base names the ticket commit, which must stay in $BRANCH.
                    git -c user.name="github-actions[bot]" \
                        -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
                        pull --no-rebase --no-edit origin "$BRANCH"
                  done
                  echo "::error title=supportsync::could not push the ticket commit to $BRANCH after 3 attempts"
                  exit 1

        """#
}
