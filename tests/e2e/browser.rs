//! Headless Chromium through chromedriver, with helpers that find fields the
//! way a person does: by their visible labels.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};

pub struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
    axe: String,
}

fn find_tool(var: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    path.exists().then_some(path)
}

/// The browser, its driver and axe-core, or why the journeys cannot run.
pub fn tools() -> Result<Tools, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let axe_path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("node_modules").join("axe-core").join("axe.min.js"));
    let found = (
        find_tool("CHROMIUM", "/usr/bin/chromium"),
        find_tool("CHROMEDRIVER", "/usr/bin/chromedriver"),
        std::fs::read_to_string(&axe_path).ok(),
    );
    match found {
        (Some(chromium), Some(chromedriver), Some(axe)) => Ok(Tools {
            chromium,
            chromedriver,
            axe,
        }),
        (chromium, driver, axe) => {
            let missing: Vec<&str> = [
                chromium.is_none().then_some("chromium"),
                driver.is_none().then_some("chromedriver"),
                axe.is_none().then_some("axe-core"),
            ]
            .into_iter()
            .flatten()
            .collect();
            Err(format!(
                "{} not found; apt-get install chromium chromium-driver && npm install --no-save axe-core",
                missing.join(", ")
            ))
        }
    }
}

/// A chromedriver process in its own process group, ended when dropped
/// together with the Chromium it started: a journey that panics never gets
/// to close its WebDriver session, and Chromium would outlive the test.
struct Driver(Child);

impl Driver {
    fn start(chromedriver: &Path, port: u16) -> Self {
        let mut command = Command::new(chromedriver);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        Self(command.spawn().expect("chromedriver starts"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Options {
    pub width: u32,
    pub height: u32,
    pub javascript: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            width: 1280,
            height: 900,
            javascript: true,
        }
    }
}

pub struct Browser {
    pub client: Client,
    axe: String,
    journey: String,
    shots: PathBuf,
    javascript: bool,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(tools: Tools, journey: &str, options: Options) -> Self {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let driver = Driver::start(&tools.chromedriver, port);
        let webdriver = format!("http://127.0.0.1:{port}");
        wait_until_ready(&webdriver).await;
        let profile = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--lang=en-US".to_owned(),
            format!("--window-size={},{}", options.width, options.height),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if !options.javascript {
            args.push("--blink-settings=scriptEnabled=false".to_owned());
        }
        let mut chrome = json!({ "binary": tools.chromium.to_string_lossy(), "args": args });
        if options.width < 500 {
            // Headless windows are at least 500px wide; emulate a phone's viewport instead.
            chrome["mobileEmulation"] = json!({
                "deviceMetrics": { "width": options.width, "height": options.height, "pixelRatio": 2.0, "mobile": true, "touch": true }
            });
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".to_owned(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".to_owned(), chrome);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .expect("a WebDriver session starts");
        let shots = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("e2e-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Self {
            client,
            axe: tools.axe,
            journey: journey.to_owned(),
            shots,
            javascript: options.javascript,
            _driver: driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    pub async fn page_text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The input labelled `label`, inside the section or fieldset whose
    /// heading or legend is `within` (if given).
    pub async fn field(&self, within: Option<&str>, label: &str) -> Element {
        let scope = match within {
            Some(title) => format!(
                "//*[self::section or self::fieldset][./h2[normalize-space()='{title}'] or ./legend[normalize-space()='{title}']]"
            ),
            None => String::new(),
        };
        let xpath = format!("{scope}//label[normalize-space(text())='{label}']");
        let label_element = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|_| panic!("no label {label:?} in {within:?}"));
        let id = label_element
            .attr("for")
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("label {label:?} names its input"));
        self.client.find(Locator::Id(&id)).await.unwrap()
    }

    pub async fn fill(&self, within: Option<&str>, label: &str, value: &str) {
        let field = self.field(within, label).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    pub async fn value(&self, within: Option<&str>, label: &str) -> String {
        self.field(within, label)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    pub async fn choose(&self, within: Option<&str>, label: &str, option: &str) {
        self.field(within, label).await.select_by_label(option).await.unwrap();
    }

    /// Ticks the checkbox or radio button labelled `label`. It clicks the
    /// box itself: the middle of a label that wraps may be a link in it
    /// (the attestation's "read the statement" on a 320px phone).
    pub async fn tick(&self, within: Option<&str>, label: &str) {
        let scope = within
            .map(|t| format!("//*[self::section or self::fieldset][./h2[normalize-space()='{t}'] or ./legend[normalize-space()='{t}']]"))
            .unwrap_or_default();
        let xpath = format!("{scope}//label[contains(normalize-space(.), '{label}')]");
        let found = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|_| panic!("no label {label:?}"));
        let target = match found.attr("for").await.unwrap() {
            Some(id) => self.client.find(Locator::Id(&id)).await.unwrap(),
            None => found,
        };
        target.click().await.unwrap();
    }

    pub async fn click_button(&self, text: &str) {
        // The off-screen default button (for Enter) is not something a person clicks.
        let xpath = format!("//button[normalize-space()='{text}' and not(@aria-hidden='true')]");
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|_| panic!("no button {text:?}"))
            .click()
            .await
            .unwrap();
    }

    pub async fn click_link(&self, text: &str) {
        let xpath = format!("//a[normalize-space()='{text}']");
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|_| panic!("no link {text:?}"))
            .click()
            .await
            .unwrap();
    }

    /// Whether `element` has the keyboard focus.
    pub async fn is_focused(&self, element: &Element) -> bool {
        let arg = serde_json::to_value(element).unwrap();
        self.client
            .execute("return document.activeElement === arguments[0]", vec![arg])
            .await
            .unwrap()
            .as_bool()
            .unwrap_or(false)
    }

    /// Presses keys (WebDriver key codes or text) in whatever has the focus.
    pub async fn keys(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(keys)
            .await
            .unwrap();
    }

    /// Presses Tab until `element` has the focus, as a keyboard user moves
    /// through a page; within a group of radio buttons, the arrow keys move
    /// (and choose), as they do for such a user. Panics if it never gets there.
    pub async fn tab_to(&self, element: &Element, what: &str) {
        let radio_group = if element.attr("type").await.unwrap().as_deref() == Some("radio") {
            element.attr("name").await.unwrap()
        } else {
            None
        };
        for _ in 0..80 {
            if self.is_focused(element).await {
                return;
            }
            let active = self.client.active_element().await.unwrap();
            let in_group = match &radio_group {
                Some(name) => active.attr("name").await.unwrap().as_deref() == Some(name.as_str()),
                None => false,
            };
            self.keys(if in_group { "\u{E015}" } else { "\u{E004}" }).await;
        }
        panic!("the keyboard never reaches {what}");
    }

    /// Tabs to the input labelled `label` and types `text`.
    pub async fn key_in(&self, label: &str, text: &str) {
        let field = self.field(None, label).await;
        self.tab_to(&field, label).await;
        self.keys(text).await;
    }

    /// Tabs to the checkbox or radio button labelled `label` and presses Space.
    pub async fn key_tick(&self, label: &str) {
        let xpath = format!("//label[contains(normalize-space(.), '{label}')]");
        let found = self.client.find(Locator::XPath(&xpath)).await.unwrap();
        let id = found.attr("for").await.unwrap().unwrap();
        let target = self.client.find(Locator::Id(&id)).await.unwrap();
        self.tab_to(&target, label).await;
        if !target.is_selected().await.unwrap() {
            self.keys("\u{E00D}").await;
        }
        assert!(target.is_selected().await.unwrap(), "{label} is chosen");
    }

    /// Tabs to the button or link reading `text` and presses Enter.
    pub async fn key_press(&self, text: &str) {
        let xpath =
            format!("//*[(self::button or self::a) and normalize-space()='{text}' and not(@aria-hidden='true')]");
        let target = self.client.find(Locator::XPath(&xpath)).await.unwrap();
        self.tab_to(&target, text).await;
        self.keys("\u{E007}").await;
    }

    /// Presses Enter in a field, as a keyboard user submits a form.
    pub async fn press_enter_in(&self, within: Option<&str>, label: &str) {
        self.field(within, label).await.send_keys("\u{E007}").await.unwrap();
    }

    /// A full-page screenshot under `target/e2e-screenshots/`.
    pub async fn screenshot(&self, state: &str) {
        let mut restore = None;
        if self.javascript {
            let height = self
                .client
                .execute("return document.documentElement.scrollHeight", vec![])
                .await
                .unwrap();
            let (width, old_height) = self.client.get_window_size().await.unwrap();
            if let Some(height) = height.as_u64() {
                self.client
                    .set_window_size(width as u32, height.max(old_height) as u32)
                    .await
                    .unwrap();
                restore = Some((width as u32, old_height as u32));
            }
        }
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{}-{state}.png", self.journey)), png).unwrap();
        if let Some((width, height)) = restore {
            self.client.set_window_size(width, height).await.unwrap();
        }
    }

    /// Runs axe-core's WCAG 2.2 A and AA rules on the page; fails on any
    /// violation, whatever its impact. Without JavaScript it cannot run: a
    /// no-op there (the same pages are audited by the journeys with it).
    pub async fn audit(&self, state: &str) {
        if !self.javascript {
            return;
        }
        self.client
            .execute(&format!("{}\n;return true;", self.axe), vec![])
            .await
            .unwrap();
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] } })
                   .then(r => done({
                     passes: r.passes.length,
                     serious: r.violations
                       .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) })) }))
                   .catch(e => done({ passes: 0, serious: [{ id: 'axe-error', help: String(e) }] }));",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            violations["passes"].as_u64().unwrap_or(0) > 10,
            "{}/{state}: axe did not run: {violations}",
            self.journey
        );
        assert_eq!(
            violations["serious"],
            Value::Array(vec![]),
            "{}/{state}: accessibility violations",
            self.journey
        );
    }

    /// Whether the page fits the window without horizontal scrolling.
    pub async fn fits_width(&self) -> (u64, u64) {
        let sizes = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await
            .unwrap();
        (sizes[0].as_u64().unwrap(), sizes[1].as_u64().unwrap())
    }

    pub async fn wait_for_heading(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(h1) = self.client.find(Locator::Css("h1")).await
                && h1.text().await.map(|t| t.contains(text)).unwrap_or(false)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for heading {text:?}; page: {}",
                self.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

async fn wait_until_ready(webdriver: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let http = reqwest::Client::new();
    loop {
        if let Ok(response) = http.get(format!("{webdriver}/status")).send().await
            && let Ok(body) = response.json::<Value>().await
            && body["value"]["ready"] == json!(true)
        {
            return;
        }
        assert!(Instant::now() < deadline, "chromedriver did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
