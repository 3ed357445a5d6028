// Refreshing a page while what it shows is changing: `round()` reads and renders, and says
// whether anything is still in a transitional state; the page is read again every
// POLL_MILLISECONDS until nothing is, with no full-page reload.

const POLL_MILLISECONDS = 2000;
// After an action the resource may still show its old state for a moment (OpenNebula acts in
// the background): a few more rounds are read even if nothing seems to change.
const ROUNDS_AFTER_ACTION = 5;

export class Poller {
  constructor(round) {
    this.round = round;
    this.timer = null;
    this.roundsLeft = 0;
    // Bumped by stop(), so a round answered after the page was left renders nothing more.
    this.generation = 0;
  }

  // `isCurrent()` tells a round whether its page is still shown when its answers arrive.
  async refresh() {
    clearTimeout(this.timer);
    const mine = this.generation;
    const changing = await this.round(() => mine === this.generation);
    if (mine !== this.generation) return;
    if (changing || this.roundsLeft > 0) {
      this.roundsLeft = Math.max(0, this.roundsLeft - 1);
      this.timer = setTimeout(() => this.refresh(), POLL_MILLISECONDS);
    }
  }

  afterAction() {
    this.roundsLeft = ROUNDS_AFTER_ACTION;
    return this.refresh();
  }

  stop() {
    this.generation += 1;
    this.roundsLeft = 0;
    clearTimeout(this.timer);
  }
}

// A page showing one list that is polled while it changes: `round(client, isCurrent)` reads
// and renders it. Gives the page's show(client) and hide(), and `page.client`, the signed-in
// client while the page is shown.
export function pollingPage(listId, round) {
  const page = { client: null };
  page.poller = new Poller((isCurrent) => round(page.client, isCurrent));
  page.show = (client) => {
    page.client = client;
    page.poller.refresh();
  };
  page.hide = () => {
    page.poller.stop();
    page.client = null;
    document.getElementById(listId).replaceChildren();
  };
  return page;
}
