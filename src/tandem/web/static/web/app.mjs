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
