// Marks the page as able to run GOV.UK Frontend's scripts, then starts its components. A module
// script, so browsers too old for GOV.UK Frontend run none of it and keep the plain pages.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
