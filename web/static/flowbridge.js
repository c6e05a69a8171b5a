/*
 * Flowbridge's pages: microflows on forms (DESIGN §6; the form description in engine/forms/description.py).
 *
 * Plain modern JavaScript, no framework, no build step. It works on what the templates render:
 *
 * - A field whose input has data-microflow="NAME" calls that microflow *blocking* when the person
 *   types (data-microflow-trigger="input", debounced), leaves a changed field ("change", the
 *   default) or leaves it at all ("blur"). While the call is in flight the screen waits: the
 *   overlay #blocking-overlay (a spinner) is shown over the page, keys are swallowed and the form
 *   cannot be submitted. The answer then shows: a JSON object fills the fields its keys name,
 *   its "error" is shown as the field's error (the field is marked invalid until it is edited)
 *   and its "message" beside the field; any other value fills the field itself. A failed call
 *   (4xx/5xx, timeout, no network) shows its message as the field's error; the overlay always
 *   goes away.
 * - A button with data-async-microflow="NAME" starts that microflow as a job (mode "async") and
 *   polls it with backoff; the person keeps working meanwhile. Its result (a JSON object's
 *   "message" or "error", else the value) appears in the <output> its data-result names, whose
 *   data-state says "pending", "done" or "error". It first holds to the form's validation: when a
 *   field it would send breaks the form's rules (required, limits, type: the browser's checks of
 *   what the template rendered) or was found wrong by a field microflow, nothing starts, each such
 *   field shows its problem, the first one gets the focus and the output says "invalid".
 *
 * Both send the form's current values, typed (numbers as numbers, checkboxes as booleans, empty
 * fields as null), keyed by field id; only the names a microflow declares are sent, unless it
 * takes any input (**values). Calls go to the JSON API with the login session's cookie and the
 * page's CSRF token (<meta name="csrf-token">).
 */
(() => {
  "use strict";

  const DEBOUNCE_MS = 400; // "input" trigger: wait this long after the last keystroke
  const BLOCKING_TIMEOUT_S = 20; // the server stops waiting for a blocking call after this (504)
  const FETCH_GRACE_MS = 5000; // ...and we stop waiting for the server this much later
  const POLL_FIRST_MS = 300; // first look at an async job
  const POLL_MAX_MS = 1000; // then ever more slowly, up to this
  const POLL_FACTOR = 1.5;
  const POLL_GIVE_UP_MS = 10 * 60 * 1000; // stop polling a job after ten minutes
  const POLL_MAX_FAILURES = 5; // consecutive failed polls (network) before giving up
  const FINAL_JOB_STATES = new Set(["done", "failed", "cancelled"]);

  let busy = false; // a blocking call is in flight
  let signatures = null; // Promise<Map<name, microflow>> from GET /api/microflows, fetched once
  const debounceTimers = new WeakMap();

  // --- talking to the API -------------------------------------------------------------------------

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /** Send one request; resolves to {status, body} (body: parsed JSON, or an API-shaped error). */
  async function api(method, path, payload, timeoutMs) {
    const controller = new AbortController();
    const timer = timeoutMs ? setTimeout(() => controller.abort(), timeoutMs) : null;
    const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    try {
      const response = await fetch(path, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
        credentials: "same-origin",
        signal: controller.signal,
      });
      const text = await response.text();
      let body;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = { error: { message: text.trim().slice(0, 200) || response.statusText } };
      }
      return { status: response.status, body };
    } catch (err) {
      if (err.name === "AbortError") {
        throw new Error(`no answer within ${Math.round(timeoutMs / 1000)} seconds`);
      }
      throw new Error(`the server cannot be reached (${err.message})`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** The message of an error answer ({"error": {"code", "message", "details"}}). */
  function errorMessage(answer) {
    const error = answer.body && answer.body.error;
    const message = error && (error.message || error.code);
    return message || `the server answered ${answer.status}`;
  }

  /** The registered microflow called `name` (its input names), or undefined when unknown. */
  function signature(name) {
    if (signatures === null) {
      signatures = api("GET", "/api/microflows")
        .then((a) => new Map(a.status === 200 && Array.isArray(a.body) ? a.body.map((f) => [f.name, f]) : []))
        .catch(() => new Map());
    }
    return signatures.then((found) => found.get(name));
  }

  function callPath(name) {
    return `/api/microflows/${encodeURIComponent(name)}/call`;
  }

  /** The form a call comes from (its task, or its process's start form): what lets a user call it. */
  function callerOf(form) {
    if (!form) return {};
    if (form.dataset.task) return { task_id: form.dataset.task };
    if (form.dataset.process) return { process_key: form.dataset.process };
    return {};
  }

  // --- the form's values ---------------------------------------------------------------------------

  function fieldOf(id, form) {
    return [...form.querySelectorAll("[data-field]")].find((f) => f.dataset.field === id) || null;
  }

  function controlsOf(field) {
    const name = field.dataset.field;
    return [...field.querySelectorAll("input, select, textarea")].filter(
      (el) => el.name === name && el.type !== "hidden",
    );
  }

  /** A field's current value, typed as the form description types it. */
  function valueOf(field) {
    const controls = controlsOf(field);
    if (controls.length === 0) return null;
    const first = controls[0];
    if (first.type === "checkbox") {
      // One box is a yes/no field; several are a multiple choice.
      if (controls.length === 1) return first.checked;
      return controls.filter((c) => c.checked).map((c) => c.value);
    }
    if (first.type === "radio") {
      const chosen = controls.find((c) => c.checked);
      return chosen ? chosen.value : null;
    }
    if (first.tagName === "SELECT" && first.multiple) {
      return [...first.selectedOptions].map((o) => o.value);
    }
    const raw = first.value;
    if (raw.trim() === "") return null;
    const kind = first.dataset.type || first.type;
    if (kind === "number" || kind === "integer") {
      const number = Number(raw);
      return Number.isFinite(number) ? number : raw; // not a number: the microflow or the form says so
    }
    if (kind === "boolean") return raw === "true" || raw === "on";
    return raw;
  }

  function formValues(form) {
    const values = {};
    for (const field of form.querySelectorAll("[data-field]")) values[field.dataset.field] = valueOf(field);
    return values;
  }

  /** The input for microflow `name`: the form's values it declares (all of them for **values). */
  async function inputFor(form, name) {
    const values = formValues(form);
    const flow = await signature(name);
    if (!flow || flow.accepts_any_input || !Array.isArray(flow.inputs)) return values;
    return Object.fromEntries(Object.entries(values).filter(([key]) => flow.inputs.includes(key)));
  }

  /** Put `value` into a field (read-only fields keep theirs: the server would refuse a change). */
  function fill(field, value) {
    for (const control of controlsOf(field)) {
      if (control.readOnly || control.disabled) continue;
      if (control.type === "checkbox") {
        control.checked = Array.isArray(value) ? value.map(String).includes(control.value) : value === true;
      } else if (control.type === "radio") {
        control.checked = value !== null && String(value) === control.value;
      } else if (control.tagName === "SELECT" && control.multiple) {
        const wanted = (Array.isArray(value) ? value : [value]).map(String);
        for (const option of control.options) option.selected = wanted.includes(option.value);
      } else {
        control.value = value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
      }
    }
  }

  // --- showing answers beside a field --------------------------------------------------------------

  function errorElement(field) {
    return document.getElementById(`e-${field.dataset.field}`);
  }

  /** The element below a field that shows a microflow's message, made the first time. */
  function messageElement(field) {
    const id = `m-${field.dataset.field}`;
    let element = document.getElementById(id);
    if (!element) {
      element = document.createElement("p");
      element.id = id;
      element.className = "field-message hint"; // styled like the page's other hints
      element.setAttribute("aria-live", "polite");
      const error = errorElement(field);
      if (error) error.before(element);
      else field.append(element);
    }
    return element;
  }

  /** Show (or, with no text, clear) a field's error; a microflow's error also holds off submitting. */
  function showError(field, text, fromMicroflow = true) {
    const element = errorElement(field);
    if (element) element.textContent = text || "";
    field.classList.toggle("has-error", Boolean(text)); // the page's own mark of a wrong field
    for (const control of controlsOf(field)) {
      if (text) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
    if (text && fromMicroflow) field.dataset.microflowError = "true";
    else delete field.dataset.microflowError;
  }

  function showMessage(field, text) {
    const element = messageElement(field);
    element.textContent = text || "";
    element.hidden = !text;
  }

  /** A field microflow's answer: fills fields, an error, a message (engine/forms/description.py). */
  function showFieldAnswer(form, field, result) {
    if (result === null || typeof result !== "object" || Array.isArray(result)) {
      fill(field, result);
      showError(field, "");
      return;
    }
    for (const [key, value] of Object.entries(result)) {
      if (key === "error" || key === "message") continue;
      const target = fieldOf(key, form);
      if (target) fill(target, value);
    }
    showError(field, result.error ? String(result.error) : "");
    showMessage(field, result.message ? String(result.message) : "");
  }

  // --- blocking the screen -------------------------------------------------------------------------

  function overlay() {
    let element = document.getElementById("blocking-overlay");
    if (!element) {
      // Pages are meant to render it (base.html); made here so a page without it still blocks.
      element = document.createElement("div");
      element.id = "blocking-overlay";
      element.className = "overlay";
      element.hidden = true;
      element.innerHTML = '<div class="spinner" role="status" aria-label="Waiting for the answer"></div>';
      document.body.append(element);
    }
    return element;
  }

  function block(form, on) {
    busy = on;
    overlay().hidden = !on;
    document.body.classList.toggle("blocked", on);
    if (on) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
  }

  // While blocked, keys and pasted or dropped text are swallowed, so nothing changes under the call.
  function swallowWhileBusy(event) {
    if (busy) {
      event.preventDefault();
      event.stopPropagation();
    }
  }
  for (const type of ["keydown", "keypress", "beforeinput", "paste", "drop"]) {
    document.addEventListener(type, swallowWhileBusy, true);
  }

  /** Call a field's sync microflow, blocking the screen until it answers. */
  async function runFieldMicroflow(control) {
    const field = control.closest("[data-field]");
    const form = control.form || control.closest("form");
    if (busy || !field || !form) return;
    const name = control.dataset.microflow;
    block(form, true);
    try {
      const input = await inputFor(form, name);
      const payload = { input, mode: "blocking", timeout_seconds: BLOCKING_TIMEOUT_S, ...callerOf(form) };
      const answer = await api("POST", callPath(name), payload, BLOCKING_TIMEOUT_S * 1000 + FETCH_GRACE_MS);
      if (answer.status === 200 && answer.body) {
        showFieldAnswer(form, field, answer.body.result);
      } else {
        showMessage(field, "");
        showError(field, errorMessage(answer), false);
      }
    } catch (err) {
      showError(field, `${name}: ${err.message}`, false);
    } finally {
      block(form, false);
    }
  }

  // --- async actions -------------------------------------------------------------------------------

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function showOutput(output, text, state) {
    if (!output) return;
    output.textContent = text;
    output.dataset.state = state;
    output.classList.toggle("error-text", state === "error" || state === "invalid"); // the page's style for errors
  }

  /** Poll a job with backoff until it is done or failed (or we give up). */
  async function waitForJob(jobId) {
    const giveUpAt = Date.now() + POLL_GIVE_UP_MS;
    let delay = POLL_FIRST_MS;
    let failures = 0;
    for (;;) {
      await sleep(delay);
      delay = Math.min(delay * POLL_FACTOR, POLL_MAX_MS);
      let answer;
      try {
        answer = await api("GET", `/api/jobs/${encodeURIComponent(jobId)}`, undefined, 10000);
      } catch (err) {
        if (++failures >= POLL_MAX_FAILURES) throw err;
        continue; // a passing network problem: look again
      }
      failures = 0;
      if (answer.status !== 200) throw new Error(errorMessage(answer));
      if (FINAL_JOB_STATES.has(answer.body.status)) return answer.body;
      if (Date.now() > giveUpAt) throw new Error("still running after ten minutes; look again later");
    }
  }

  /** The fields whose values microflow `name` is sent (all of them when it takes any input). */
  async function sentFields(form, name) {
    const all = [...form.querySelectorAll("[data-field]")];
    const flow = await signature(name);
    if (!flow || flow.accepts_any_input || !Array.isArray(flow.inputs)) return all;
    return all.filter((field) => flow.inputs.includes(field.dataset.field));
  }

  /**
   * Whether the fields an action sends pass the form's validation: the browser's checks of the
   * rules the form renders, and no field a microflow found wrong. Each wrong field shows its
   * problem beside it; the first one gets the focus.
   */
  async function actionInputValid(form, name) {
    const wrong = [];
    for (const field of await sentFields(form, name)) {
      if (field.dataset.microflowError) {
        wrong.push(field);
        continue;
      }
      const broken = controlsOf(field).find((control) => control.willValidate && !control.checkValidity());
      if (broken) {
        showError(field, broken.validationMessage, false);
        wrong.push(field);
      }
    }
    const first = wrong.length ? controlsOf(wrong[0])[0] : null;
    if (first) first.focus();
    return wrong.length === 0;
  }

  /** Start a button's async microflow; its result shows in the button's output when it is ready. */
  async function runAction(button) {
    const form = button.closest("form");
    const output = document.getElementById(button.dataset.result);
    const name = button.dataset.asyncMicroflow;
    button.disabled = true;
    try {
      if (form && !(await actionInputValid(form, name))) {
        showOutput(output, "Correct the marked fields first: nothing was started.", "invalid");
        return;
      }
      showOutput(output, "Working…", "pending");
      const input = form ? await inputFor(form, name) : {};
      const answer = await api("POST", callPath(name), { input, mode: "async", ...callerOf(form) }, 30000);
      if (answer.status !== 202 || !answer.body || !answer.body.job_id) {
        showOutput(output, errorMessage(answer), "error");
        return;
      }
      const job = await waitForJob(answer.body.job_id);
      if (job.status !== "done") {
        showOutput(output, job.error ? String(job.error) : `the job ${job.status}`, "error");
        return;
      }
      const result = job.result;
      if (result !== null && typeof result === "object" && !Array.isArray(result)) {
        if (result.error) showOutput(output, String(result.error), "error");
        else showOutput(output, "message" in result ? String(result.message) : JSON.stringify(result), "done");
      } else {
        showOutput(output, typeof result === "string" ? result : JSON.stringify(result), "done");
      }
    } catch (err) {
      showOutput(output, `${name}: ${err.message}`, "error");
    } finally {
      button.disabled = false;
    }
  }

  // --- wiring (event delegation: works for forms rendered at any time) ------------------------------

  function microflowControl(target, trigger) {
    if (!(target instanceof Element) || !target.matches("[data-microflow]")) return null;
    return (target.dataset.microflowTrigger || "change") === trigger ? target : null;
  }

  document.addEventListener("input", (event) => {
    // An edited field's error (the server's or a microflow's) may no longer hold: clear it.
    const field = event.target instanceof Element ? event.target.closest("[data-field]") : null;
    if (field && field.classList.contains("has-error")) showError(field, "");
    const control = microflowControl(event.target, "input");
    if (!control) return;
    clearTimeout(debounceTimers.get(control));
    debounceTimers.set(control, setTimeout(() => runFieldMicroflow(control), DEBOUNCE_MS));
  });

  document.addEventListener("change", (event) => {
    const control = microflowControl(event.target, "change");
    if (control) runFieldMicroflow(control);
  });

  document.addEventListener("focusout", (event) => {
    const control = microflowControl(event.target, "blur");
    if (control) runFieldMicroflow(control);
  });

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-async-microflow]") : null;
    if (button && !button.disabled) {
      event.preventDefault();
      runAction(button);
    }
  });

  // No submitting while a call is in flight, nor with a field a microflow found wrong.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      const wrong = form.querySelector("[data-field][data-microflow-error]");
      if (busy || wrong) {
        event.preventDefault();
        const control = wrong && controlsOf(wrong)[0];
        if (control) control.focus();
      }
    },
    true,
  );
})();

/*
 * Pages that keep up (issue 15), on what the templates render:
 *
 * - The header's count of my open tasks ([data-task-count]) polls GET /api/tasks/count; on the
 *   task list, a count that grew shows the note [data-new-tasks] with a link to the list again.
 * - A task page ([data-task-watch] with the instance's revision) polls GET /api/tasks/{id}: when
 *   the instance moved (an async result, a message, another branch), an untouched page reloads
 *   itself and a page with typed values says so and offers a reload; a task closed meanwhile
 *   says so too.
 * - The task list's filter form ([data-clean-query]) leaves empty and default fields out of the
 *   address, so a bookmark says only what was chosen.
 *
 * Polls pause while the page is hidden and stop on 401/403/404.
 */
(() => {
  "use strict";

  const COUNT_POLL_MS = 10000; // the header's count
  const TASK_POLL_MS = 5000; // a task page's instance
  const STOP_STATUSES = new Set([401, 403, 404]); // logged out, or no longer ours to see

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) {
      const error = new Error(`${path} answered ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  /** Run `check` now and every `ms` while the page is visible, until it returns false. */
  function every(ms, check) {
    let timer = null;
    let running = false;
    let stopped = false;
    async function run() {
      clearTimeout(timer);
      timer = null;
      if (stopped || running || document.hidden) return;
      running = true;
      try {
        if ((await check()) === false) stopped = true;
      } catch (err) {
        if (STOP_STATUSES.has(err.status)) stopped = true; // else (network, 5xx): try again later
      } finally {
        running = false;
      }
      if (!stopped && !document.hidden) timer = setTimeout(run, ms);
    }
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) run();
    });
    run();
  }

  // --- the header's count -------------------------------------------------------------------------

  const counter = document.querySelector("[data-task-count]");
  if (counter) {
    const arrived = document.querySelector("[data-new-tasks]");
    let first = null;
    every(COUNT_POLL_MS, async () => {
      const { open } = await getJson("/api/tasks/count");
      counter.textContent = String(open);
      counter.title = `${open} open task${open === 1 ? "" : "s"} for you`;
      counter.hidden = open === 0;
      if (first === null) first = open;
      else if (arrived && open > first) arrived.hidden = false;
    });
  }

  // --- a task page whose instance moves ------------------------------------------------------------

  function say(box, text, control) {
    box.replaceChildren(document.createTextNode(`${text} `));
    if (control) box.append(control);
    box.hidden = false;
  }

  function reloadButton() {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload the page";
    button.addEventListener("click", () => location.assign(location.href)); // a GET, never a re-post
    return button;
  }

  const watched = document.querySelector("[data-task-watch]");
  if (watched) {
    const form = document.querySelector("form.task-form");
    let touched = watched.hasAttribute("data-posted"); // the server showed typed values back
    if (form) {
      form.addEventListener("input", () => (touched = true));
      form.addEventListener("change", () => (touched = true));
    }
    const path = `/api/tasks/${encodeURIComponent(watched.dataset.taskWatch)}`;
    every(TASK_POLL_MS, async () => {
      const task = await getJson(path);
      if (task.status !== "open") {
        const back = document.querySelector(".back-link a");
        const link = back ? back.cloneNode(true) : null;
        const by = task.completed_by ? ` by ${task.completed_by}` : "";
        say(watched, `This task is no longer open: it was ${task.status}${by} meanwhile.`, link);
        return false;
      }
      if (String(task.instance_revision) === watched.dataset.revision) return true;
      if (!touched) {
        location.assign(location.href);
        return false;
      }
      const words = "The instance changed while you were working here (a result or a message arrived).";
      say(watched, `${words} Reload to see it — what you typed is not kept.`, reloadButton());
      return false;
    });
  }

  // --- the task list's filters in the address -----------------------------------------------------

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-clean-query]")) return;
    event.preventDefault();
    const query = new URLSearchParams();
    for (const control of form.elements) {
      if (!control.name || control.disabled || control.value === "") continue;
      if (control.dataset.default === control.value) continue;
      query.append(control.name, control.value);
    }
    const action = form.getAttribute("action") || location.pathname;
    const text = query.toString();
    location.assign(text ? `${action}?${text}` : action);
  });
})();
