// GOV.UK Frontend's components on every page, and the conditional reveal of radios.
//
// GOV.UK's own Radios script marks each radio `aria-expanded`, which ARIA does not allow on a
// radio (axe-core: aria-allowed-attr), so radios are revealed here the same way without it:
// the content for the chosen answer shows, the rest hides. Without JavaScript everything shows,
// as GOV.UK intends.
import {
  Accordion,
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  ExitThisPage,
  FileUpload,
  NotificationBanner,
  PasswordInput,
  ServiceNavigation,
  SkipLink,
  Tabs,
  createAll,
  isSupported,
} from "../govuk/govuk-frontend.min.js";

if (isSupported()) {
  for (const component of [
    Accordion, Button, CharacterCount, Checkboxes, ErrorSummary, ExitThisPage, FileUpload,
    NotificationBanner, PasswordInput, ServiceNavigation, SkipLink, Tabs,
  ]) {
    createAll(component);
  }

  const revealed = (input) => document.getElementById(input.dataset.ariaControls);
  const sync = (group) => {
    for (const input of group.querySelectorAll(".govuk-radios__input[data-aria-controls]")) {
      const content = revealed(input);
      if (content) {
        input.setAttribute("aria-controls", content.id);
        content.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
      }
    }
  };
  for (const group of document.querySelectorAll('[data-module="govuk-radios"]')) {
    sync(group);
    group.addEventListener("change", () => sync(group));
  }
}

// A job's page follows its progress (`data-job-poll` names the job's API address): the bar and
// the stage move in place, and the page reloads once the job's state changes. A page that
// refreshed itself would fail WCAG 2.2.1 (axe-core: meta-refresh); without JavaScript the page
// offers a link to look again.
for (const panel of document.querySelectorAll("[data-job-poll]")) {
  const bar = panel.querySelector("progress");
  const label = panel.querySelector("[data-job-label]");
  const stage = panel.querySelector("[data-job-stage]");
  const status = panel.dataset.jobStatus;
  const poll = async () => {
    try {
      const answer = await fetch(panel.dataset.jobPoll, { credentials: "same-origin" });
      if (!answer.ok) return;
      const job = await answer.json();
      if (job.status !== status) {
        window.location.reload();
        return;
      }
      if (stage) stage.textContent = job.stage;
      if (job.percent !== null) {
        bar.value = job.percent;
        bar.textContent = `${job.percent}%`;
        label.textContent =
          `${job.percent}% done (${job.done.toLocaleString("en-GB")} of ` +
          `${job.total.toLocaleString("en-GB")})`;
      }
    } finally {
      window.setTimeout(poll, 2000);
    }
  };
  window.setTimeout(poll, 2000);
}
