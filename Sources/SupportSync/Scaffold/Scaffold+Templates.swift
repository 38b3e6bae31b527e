// The files `supportsync init` writes. They are this repository's own
// config/ and CI workflow, byte for byte (a test holds them equal), so the
// example a new user starts from is the one this repository runs.
// Regenerate by copying the files in when they change.

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

    /// `.github/workflows/supportsync.yml`: review on pull requests, sync on main and every 15 minutes. (`.github/workflows/supportsync.yml` in this repository)
    public static let workflowTemplate = #"""
        # supportsync: support settings in config/ and flagged tickets in tickets/.
        #
        # Pull requests: validate config/ (annotations on the diff), put the plan in
        # the job summary, and audit the ticket changes against the target branch.
        # Pushes to main, every 15 minutes, and by hand: sync (apply config/, pull
        # new tickets into one commit, push the team's ticket changes), then push
        # the ticket commit and the platform base back to the repository.
        #
        # Repository secrets: SUPPORTSYNC_PLATFORM (the platform API's URL) and
        # SUPPORTSYNC_TOKEN (its bearer token).
        name: supportsync

        on:
          pull_request:
          push:
            branches: [main]
          schedule:
            - cron: "*/15 * * * *"
          workflow_dispatch:

        env:
          SUPPORTSYNC_PLATFORM: ${{ secrets.SUPPORTSYNC_PLATFORM }}
          SUPPORTSYNC_TOKEN: ${{ secrets.SUPPORTSYNC_TOKEN }}

        jobs:
          review:
            if: github.event_name == 'pull_request'
            runs-on: ubuntu-latest
            permissions:
              contents: read
            concurrency:
              group: supportsync-review-${{ github.event.pull_request.number }}
              cancel-in-progress: true
            steps:
              - uses: actions/checkout@v4
                with:
                  fetch-depth: 0 # audit reads every commit of the pull request
              # In your own repository: uses: <owner>/supportsync@<tag> (the published action).
              - uses: ./
                id: supportsync
              # Each check runs even when an earlier one failed, so a review sees all three.
              - name: Validate config/
                run: supportsync validate --format github
              - name: Plan
                if: ${{ !cancelled() && steps.supportsync.outcome == 'success' }}
                run: supportsync plan --format markdown >> "$GITHUB_STEP_SUMMARY"
              - name: Audit ticket changes
                if: ${{ !cancelled() && steps.supportsync.outcome == 'success' }}
                run: supportsync audit --base "origin/${{ github.base_ref }}" --format github

          sync:
            if: github.event_name != 'pull_request' && github.ref == 'refs/heads/main'
            runs-on: ubuntu-latest
            permissions:
              contents: write # the ticket commit is pushed back to main
            concurrency:
              group: supportsync-sync # two runs never sync at once; a waiting run is queued, not cancelled
              cancel-in-progress: false
            steps:
              - uses: actions/checkout@v4
                with:
                  fetch-depth: 0 # ticket history and the pull cursor live in git
              # In your own repository: uses: <owner>/supportsync@<tag> (the published action).
              - uses: ./
              - name: Fetch the platform base
                # What the platform last reported per ticket; it moves together with main.
                run: git fetch origin '+refs/supportsync/*:refs/supportsync/*'
              - name: Sync
                id: sync
                run: supportsync sync --summary-file "$GITHUB_STEP_SUMMARY"
              - name: Push the ticket commit back
                # Also after a sync that exits 1 (a conflict, a refused agent): what it
                # committed is still pushed, and the job still fails.
                if: ${{ !cancelled() && steps.sync.outcome != 'skipped' }}
                run: |
                  refs=(HEAD:refs/heads/main)
                  if git show-ref --verify --quiet refs/supportsync/platform; then
                    refs+=(refs/supportsync/platform:refs/supportsync/platform)
                  fi
                  for attempt in 1 2 3; do
                    # Atomic: the branch and the platform base move together or not at all.
                    git push --atomic origin "${refs[@]}" && exit 0
                    # main moved meanwhile (a merge landed): replay the ticket commit on top.
                    git -c user.name="github-actions[bot]" \
                        -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
                        pull --rebase origin main
                  done
                  exit 1

        """#
}
