package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web page in a real browser: Debian's Chromium, headless, driven through its ChromeDriver
 * (both installed by the build). Logs in, sees the running job and its checkpoint chart, changes
 * a property through the form, sees a refused value's message, takes and discards a savepoint.
 * Screenshots go to {@code target/screenshots} (the README shows them).
 */
class WebConsoleBrowserTest {

    private static final Path SCREENSHOTS = Path.of("target/screenshots");

    @Test
    void logInWatchAJobChangeItAndDiscardASavepoint() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 1_000_000, 300, "checkpoint.interval=500ms");
            p.awaitJobState("offers", "RUNNING");
            String base = p.webBase();
            String token = p.consoleToken();
            // the job runs until it has checkpoints to chart: no fixed wait
            PlatformFixture.await(() -> p.jobValue("offers", "checkpoints.completed") instanceof Number n && n.longValue() >= 3,
                    () -> "three checkpoints: " + p.safeJob("offers"));

            WebDriver browser = chromium();
            try {
                browser.get(base + "/");
                assertThat(browser.getCurrentUrl()).endsWith("/login");
                browser.findElement(By.id("token")).sendKeys("not-the-token");
                browser.findElement(By.id("login")).click();
                assertThat(browser.findElement(By.id("login-error")).getText()).isEqualTo("That is not the console token.");
                browser.findElement(By.id("token")).sendKeys(token);
                browser.findElement(By.id("login")).click();

                WebElement row = browser.findElement(By.cssSelector("tr.job[data-job='offers']"));
                assertThat(row.findElement(By.className("state")).getText()).isEqualTo("RUNNING");
                List<WebElement> bars = browser.findElements(By.cssSelector("#job-offers svg.checkpoint-chart rect.bar"));
                assertThat(bars).as("a bar per checkpoint").hasSizeGreaterThanOrEqualTo(3);
                assertThat(browser.findElement(By.cssSelector("pre.plugins")).getText()).contains("dev.cairn.backend.heap").contains("offer-enrichment");
                assertThat(browser.getPageSource()).doesNotContain(token);
                screenshot(browser, "web-console-jobs.png");

                WebElement job = browser.findElement(By.id("job-offers"));
                submitSet(browser, job, "job.max-restarts", "-1");
                WebElement refused = browser.findElement(By.id("result"));
                assertThat(refused.getAttribute("class")).isEqualTo("failed");
                assertThat(refused.getText()).contains("job.max-restarts=-1 is not allowed");
                screenshot(browser, "web-console-refused.png");

                clickAndAwaitNextPage(browser, browser.findElement(By.cssSelector("#job-offers button.savepoint")));
                String taken = browser.findElement(By.id("result")).getText();
                Matcher path = Pattern.compile("savepoint (offers/savepoints/\\S+)").matcher(taken);
                assertThat(path.find()).as(taken).isTrue();
                assertThat(browser.findElement(By.cssSelector("#job-offers pre.snapshots")).getText()).contains(path.group(1));
                awaitNewerCheckpoint(p); // the newest snapshot is the job's recovery point, which is never deleted
                browser.get(base + "/");
                WebElement discard = browser.findElement(By.cssSelector("#job-offers input.path"));
                discard.sendKeys(path.group(1));
                clickAndAwaitNextPage(browser, browser.findElement(By.cssSelector("#job-offers button.discard")));
                assertThat(browser.findElement(By.id("result")).getText()).isEqualTo("deleted savepoint " + path.group(1));
                assertThat(browser.findElement(By.cssSelector("#job-offers pre.snapshots")).getText()).doesNotContain(path.group(1));
                assertThat(p.data.resolve("snapshots").resolve(path.group(1))).doesNotExist();

                // last, since an accepted change moves the job to a new run
                submitSet(browser, browser.findElement(By.id("job-offers")), "job.max-restarts", "7");
                assertThat(browser.findElement(By.id("result")).getText()).isEqualTo("updated offers");
                assertThat(p.text("cairn:config offers")).containsPattern("job\\.max-restarts\\s.*\\s7\\s");

                browser.findElement(By.id("logout")).click();
                browser.get(base + "/");
                assertThat(browser.getCurrentUrl()).endsWith("/login");
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void felixsConfigurationPageRefusesWhatTheConsoleRefuses() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 1_000_000, 300, "");
            p.awaitJobState("offers", "RUNNING");
            String base = p.webBase();
            WebDriver browser = chromium();
            try {
                browser.get(base + "/system/console/configMgr");
                assertThat(browser.getCurrentUrl()).contains("/login?then=");
                browser.findElement(By.id("token")).sendKeys(p.consoleToken());
                browser.findElement(By.id("login")).click();
                // the click returns before the next page loads: wait (implicitly) for the configuration table first
                browser.findElement(By.id("configTable"));
                assertThat(browser.getCurrentUrl()).endsWith("/system/console/configMgr");
                assertThat(browser.getPageSource()).doesNotContain("OsgiManager"); // its own settings are not offered

                browser.findElement(By.xpath("//table[@id='configTable']//td[contains(@class, 'pointer') and contains(., 'cairn.job~offers')]"))
                        .click(); // the job's form opens in a dialog
                typeInto(browser, "job.max-restarts", "-1");
                clickSave(browser);
                // the page shows the console's message in its error dialog; nothing is stored
                WebElement refusal = browser.findElement(By.xpath("//div[contains(@class, 'ui-dialog')][.//span[normalize-space()='AJAX Error']]"));
                assertThat(refusal.getText()).contains("job.max-restarts=-1 is not allowed: use an integer >= 0");
                screenshot(browser, "web-console-configuration-refused.png");
                assertThat(p.text("cairn:config offers")).doesNotContainPattern("job\\.max-restarts\\s.*\\s-1\\s");
                refusal.findElement(By.xpath(".//button[normalize-space()='Ok']")).click();

                typeInto(browser, "job.max-restarts", "7"); // the form stays open after a refusal
                clickSave(browser);
                // stored with the job's param.* kept (the form cannot show them; without param.output the change is refused)
                PlatformFixture.await(() -> p.safeText("cairn:config offers").matches("(?s).*job\\.max-restarts\\s[^\\n]*\\s7\\s.*"),
                        () -> p.safeText("cairn:config offers"));
                p.awaitJobState("offers", "RUNNING");
            } finally {
                browser.quit();
            }
        }
    }

    private static void typeInto(WebDriver browser, String key, String value) {
        WebElement field = browser.findElement(By.cssSelector("#editorForm textarea[name='" + key + "']"));
        field.clear();
        field.sendKeys(value);
    }

    private static void clickSave(WebDriver browser) {
        browser.findElement(By.xpath("//div[contains(@class,'ui-dialog-buttonpane')]//button[normalize-space()='Save']")).click();
    }

    /** Lets the job run until a checkpoint completes after what was taken so far. */
    static void awaitNewerCheckpoint(PlatformFixture p) throws Exception {
        long completed = ((Number) p.jobValue("offers", "checkpoints.completed")).longValue();
        PlatformFixture.await(() -> p.jobValue("offers", "checkpoints.completed") instanceof Number n && n.longValue() > completed,
                () -> "a checkpoint after " + completed + ": " + p.safeJob("offers"));
    }

    private static void submitSet(WebDriver browser, WebElement job, String key, String value) throws Exception {
        job.findElement(By.cssSelector("input.key")).sendKeys(key);
        job.findElement(By.cssSelector("input.value")).sendKeys(value);
        clickAndAwaitNextPage(browser, job.findElement(By.cssSelector("button.set")));
    }

    /**
     * Clicks a button that posts the form and waits until the next page has loaded. The old page
     * is marked first: just after the click it (and its result) can still be found, and while it is
     * being replaced the driver may answer with a stale element or an inspector error, so the wait
     * asks again until a page without the mark is complete.
     */
    private static void clickAndAwaitNextPage(WebDriver browser, WebElement button) throws Exception {
        JavascriptExecutor script = (JavascriptExecutor) browser;
        script.executeScript("window.cairnPageBeforeClick = true;");
        button.click();
        PlatformFixture.await(() -> {
            try {
                return Boolean.TRUE.equals(script.executeScript(
                        "return window.cairnPageBeforeClick === undefined && document.readyState === 'complete';"));
            } catch (WebDriverException navigating) {
                return false;
            }
        }, () -> "the page after clicking " + button);
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1400");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().withTimeout(Duration.ofMinutes(1)).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().implicitlyWait(Duration.ofSeconds(30)); // an element the next page has not shown yet
        return driver;
    }

    private static void screenshot(WebDriver browser, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
