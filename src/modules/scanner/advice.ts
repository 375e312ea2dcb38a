// Plain-language explanations for shops: for each failed test (and each extra issue) the risk
// and the fix in zh-TW and English, with configuration snippets for nginx, Apache and common
// platforms. Data only; findings.ts picks the entries.
import type { Bilingual, Severity, TestId } from "./scanner.types.ts";

export interface Advice {
  severity: Severity;
  title: Bilingual;
  risk: Bilingual;
  fix: Bilingual;
  snippets?: Record<string, string>;
}

const t = (zh: string, en: string): Bilingual => ({ "zh-TW": zh, en });

const CSP_SNIPPETS = {
  nginx: `add_header Content-Security-Policy "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'" always;`,
  apache: `Header always set Content-Security-Policy "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; form-action 'self'"`,
  shopify: "Shopify 主題無法自訂 CSP 標頭；請以 theme.liquid 的 <meta http-equiv=\"Content-Security-Policy\"> 加入，並移除 inline script。 / Shopify: add a <meta http-equiv> CSP in theme.liquid and move inline scripts to files.",
  woocommerce: "WordPress/WooCommerce：以外掛（如 HTTP Headers）或伺服器設定加入 CSP。 / Use a headers plugin or the server config.",
};

/** One entry per test: used for every failing result of that test unless a result has its own. */
export const TEST_ADVICE: Record<TestId, Advice> = {
  "content-security-policy": {
    severity: "high",
    title: t("內容安全政策（CSP）不足", "Content Security Policy missing or weak"),
    risk: t("沒有嚴格的 CSP 時，被植入的惡意腳本（例如竊取信用卡資料的 Magecart 攻擊）可以在顧客瀏覽器中執行並把資料送出。", "Without a strict CSP, injected scripts (such as Magecart card skimmers) run in shoppers' browsers and can send their data anywhere."),
    fix: t("送出 Content-Security-Policy 標頭：預設只允許自己的網域，不使用 'unsafe-inline'、'unsafe-eval'、http: 或 * 來源；必要的第三方腳本逐一列出，內嵌腳本改用 nonce 或 hash。", "Send a Content-Security-Policy header that allows only your own origin by default, with no 'unsafe-inline', 'unsafe-eval', http: or * sources; list each needed third party, and use nonces or hashes for inline scripts."),
    snippets: CSP_SNIPPETS,
  },
  cookies: {
    severity: "high",
    title: t("Cookie 缺少安全屬性", "Cookies lack security attributes"),
    risk: t("缺少 Secure 的 Cookie 可能以明文傳送而被竊聽；登入 Cookie 缺少 HttpOnly 時，XSS 可偷走登入狀態；缺少 SameSite 則易受跨站請求偽造（CSRF）。", "Cookies without Secure can travel in clear text; a session cookie without HttpOnly can be stolen by XSS; without SameSite, cross-site request forgery is easier."),
    fix: t("所有 Cookie 加上 Secure；登入/工作階段 Cookie 加上 HttpOnly；全部加上 SameSite=Lax（或 Strict）。", "Set Secure on every cookie, HttpOnly on session cookies, and SameSite=Lax (or Strict) on all of them."),
    snippets: {
      nginx: "proxy_cookie_flags ~ secure httponly samesite=lax;",
      apache: `Header always edit Set-Cookie "^(.*)$" "$1; Secure; HttpOnly; SameSite=Lax"`,
      php: "session.cookie_secure=1\nsession.cookie_httponly=1\nsession.cookie_samesite=Lax",
      express: "app.use(session({ cookie: { secure: true, httpOnly: true, sameSite: 'lax' } }))",
    },
  },
  "cross-origin-resource-sharing": {
    severity: "critical",
    title: t("CORS 允許任何網站帶著使用者身分讀取資料", "CORS lets any site read data with the user's credentials"),
    risk: t("伺服器回應任意 Origin 並允許憑證（Access-Control-Allow-Credentials: true），任何惡意網站都能以顧客身分讀取其訂單與個資。", "The server echoes any Origin and allows credentials, so any malicious site can read a logged-in shopper's orders and personal data."),
    fix: t("只對白名單中的來源回應 Access-Control-Allow-Origin，不要把請求的 Origin 原樣回傳。", "Answer Access-Control-Allow-Origin only for an allow-list of origins; never reflect the request's Origin."),
    snippets: { nginx: `map $http_origin $cors_ok { default ""; "https://www.shop.example" $http_origin; }\nadd_header Access-Control-Allow-Origin $cors_ok always;`, apache: `SetEnvIf Origin "^https://www\\.shop\\.example$" CORS_OK=$0\nHeader always set Access-Control-Allow-Origin %{CORS_OK}e env=CORS_OK` },
  },
  redirection: {
    severity: "high",
    title: t("HTTP 未導向 HTTPS", "HTTP does not redirect to HTTPS"),
    risk: t("顧客輸入網址時常先連到 http://，若不立即導向 https://，登入與結帳資料可能在公共 Wi-Fi 上被竊聽或竄改。", "Shoppers often reach http:// first; without an immediate redirect to https:// on the same host, logins and checkouts can be read or altered on public Wi-Fi."),
    fix: t("讓 http:// 的每個網址以 301 導向同一主機的 https://，並使用受信任的憑證。", "Redirect every http:// URL with a 301 to https:// on the same host, with a trusted certificate."),
    snippets: { nginx: "server { listen 80; server_name shop.example; return 301 https://$host$request_uri; }", apache: "RewriteEngine On\nRewriteCond %{HTTPS} off\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]", shopify: "Shopify：線上商店 > 網域 中啟用 SSL 後自動導向。 / Shopify redirects automatically once SSL is active." },
  },
  "referrer-policy": {
    severity: "low",
    title: t("Referrer-Policy 不安全", "Unsafe Referrer-Policy"),
    risk: t("完整網址（可能含訂單編號或搜尋字詞）會透過 Referer 送給第三方。", "Full URLs (which can contain order numbers or searches) leak to third parties in the Referer header."),
    fix: t("設定 Referrer-Policy: strict-origin-when-cross-origin（或 no-referrer）。", "Send Referrer-Policy: strict-origin-when-cross-origin (or no-referrer)."),
    snippets: { nginx: `add_header Referrer-Policy "strict-origin-when-cross-origin" always;`, apache: `Header always set Referrer-Policy "strict-origin-when-cross-origin"` },
  },
  "strict-transport-security": {
    severity: "high",
    title: t("未啟用 HSTS", "HTTP Strict Transport Security missing or short"),
    risk: t("沒有 HSTS 時，攻擊者可在顧客第一次連線時把 https 降級為 http（SSL stripping）。", "Without HSTS an attacker can downgrade a shopper's connection to http (SSL stripping)."),
    fix: t("在 HTTPS 回應送出 Strict-Transport-Security，max-age 至少六個月（建議一年並加上 includeSubDomains）。", "Send Strict-Transport-Security on HTTPS responses with max-age of at least six months (one year with includeSubDomains recommended)."),
    snippets: { nginx: `add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;`, apache: `Header always set Strict-Transport-Security "max-age=31536000; includeSubDomains"`, cloudflare: "Cloudflare：SSL/TLS > Edge Certificates > HSTS。" },
  },
  "subresource-integrity": {
    severity: "high",
    title: t("外部腳本缺少完整性檢查（SRI）或未以 HTTPS 載入", "External scripts lack integrity (SRI) or load over http"),
    risk: t("第三方 CDN 上的腳本被竄改時，會直接在您的網站上執行（供應鏈攻擊）；以 http 載入則可在傳輸中被替換。", "If a third-party script is altered at its CDN it runs on your site (supply-chain attack); over http it can be swapped in transit."),
    fix: t("外部腳本一律以 https 載入，並加上 integrity=\"sha384-…\" 與 crossorigin=\"anonymous\"。", "Load external scripts over https with integrity=\"sha384-…\" and crossorigin=\"anonymous\"."),
    snippets: { html: `<script src="https://cdn.example/lib.js" integrity="sha384-…" crossorigin="anonymous"></script>`, shell: "openssl dgst -sha384 -binary lib.js | openssl base64 -A" },
  },
  "x-content-type-options": {
    severity: "low",
    title: t("缺少 X-Content-Type-Options: nosniff", "X-Content-Type-Options: nosniff missing"),
    risk: t("瀏覽器可能把上傳的檔案誤判為腳本執行。", "Browsers may sniff uploaded files as scripts and run them."),
    fix: t("所有回應加上 X-Content-Type-Options: nosniff。", "Send X-Content-Type-Options: nosniff on every response."),
    snippets: { nginx: `add_header X-Content-Type-Options "nosniff" always;`, apache: `Header always set X-Content-Type-Options "nosniff"` },
  },
  "x-frame-options": {
    severity: "medium",
    title: t("網站可被嵌入其他網站框架（點擊劫持）", "Site can be framed by other sites (clickjacking)"),
    risk: t("惡意網站可用透明框架覆蓋您的頁面，誘使顧客點擊「購買」或變更設定。", "A malicious site can overlay your page in an invisible frame and trick shoppers into clicking buy or changing settings."),
    fix: t("送出 CSP frame-ancestors 'self'（或 X-Frame-Options: SAMEORIGIN）。", "Send CSP frame-ancestors 'self' (or X-Frame-Options: SAMEORIGIN)."),
    snippets: { nginx: `add_header X-Frame-Options "SAMEORIGIN" always;`, apache: `Header always set X-Frame-Options "SAMEORIGIN"` },
  },
  "cross-origin-resource-policy": {
    severity: "low",
    title: t("Cross-Origin-Resource-Policy 設定無效", "Invalid Cross-Origin-Resource-Policy"),
    risk: t("無效的值會被忽略，資源可被其他網站載入並用於旁路攻擊。", "An invalid value is ignored, so other sites can load your resources for side-channel attacks."),
    fix: t("設定 Cross-Origin-Resource-Policy: same-site（或 same-origin）。", "Send Cross-Origin-Resource-Policy: same-site (or same-origin)."),
    snippets: { nginx: `add_header Cross-Origin-Resource-Policy "same-site" always;`, apache: `Header always set Cross-Origin-Resource-Policy "same-site"` },
  },
  tls: {
    severity: "critical",
    title: t("TLS 憑證或協定有問題", "TLS certificate or protocol problem"),
    risk: t("憑證無效、過期或名稱不符時，顧客會看到警告，或被誘導略過警告而遭中間人攻擊。", "An invalid, expired or mismatched certificate shows shoppers warnings or trains them to click through them, enabling interception."),
    fix: t("使用受信任 CA 簽發、涵蓋所有網域名稱的憑證並自動更新（例如 Let's Encrypt 的 certbot）；停用 TLS 1.0/1.1。", "Use a certificate from a trusted CA covering every host name, renewed automatically (e.g. certbot); disable TLS 1.0/1.1."),
    snippets: { nginx: "ssl_protocols TLSv1.2 TLSv1.3;\nssl_stapling on; ssl_stapling_verify on;", apache: "SSLProtocol -all +TLSv1.2 +TLSv1.3\nSSLUseStapling On", certbot: "certbot renew --deploy-hook 'systemctl reload nginx'" },
  },
  "cookies-strict": {
    severity: "medium",
    title: t("Cookie 範圍、期限或同意前追蹤", "Cookie scope, lifetime or tracking before consent"),
    risk: t("過寬的 Domain 讓所有子網域都收到登入 Cookie；過長的期限擴大被盜用的時間；未經同意即設定追蹤 Cookie 可能違反個資法的告知與同意義務。", "A broad Domain sends login cookies to every subdomain; long lifetimes widen the theft window; tracking cookies set before consent may breach notice-and-consent duties under the PDPA."),
    fix: t("登入 Cookie 使用 __Host- 前綴（Secure、Path=/、不設 Domain），期限不超過 30 天；追蹤 Cookie 與廣告腳本在顧客同意後才載入（使用同意管理工具）。", "Name session cookies with the __Host- prefix (Secure, Path=/, no Domain), keep them under 30 days; load trackers only after consent (use a consent-management tool)."),
    snippets: { "set-cookie": "Set-Cookie: __Host-sid=…; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=86400" },
  },
  exposure: {
    severity: "critical",
    title: t("敏感檔案或管理頁面可被公開存取", "Sensitive files or admin pages are public"),
    risk: t("原始碼庫（.git）、環境設定（.env）、資料庫備份或 phpinfo 會洩漏密碼、金鑰與顧客個資，攻擊者常自動掃描這些路徑。", "Source repositories (.git), environment files (.env), database dumps or phpinfo leak passwords, keys and customer data; attackers scan for these paths automatically."),
    fix: t("立即刪除這些檔案，並在伺服器封鎖隱藏檔與備份檔；若已外洩，更換其中所有密碼與金鑰。", "Remove the files now, block hidden and backup files at the server, and rotate every password and key they contained."),
    snippets: { nginx: "location ~ /\\.(?!well-known) { deny all; }\nlocation ~* \\.(sql|bak|zip|tar\\.gz|map)$ { deny all; }\nautoindex off;", apache: "RedirectMatch 404 /\\.(?!well-known)\n<FilesMatch \"\\.(sql|bak|zip|map)$\">\n  Require all denied\n</FilesMatch>\nOptions -Indexes" },
  },
  "mixed-content": {
    severity: "high",
    title: t("HTTPS 頁面載入 HTTP 資源（混合內容）", "HTTPS page loads http resources (mixed content)"),
    risk: t("以 http 載入的腳本或表單目標可被竄改或竊聽，讓 HTTPS 保護失效。", "Scripts or form targets over http can be altered or read in transit, defeating HTTPS."),
    fix: t("把所有資源與表單網址改成 https://，並可加上 CSP upgrade-insecure-requests。", "Change every resource and form URL to https://; CSP upgrade-insecure-requests helps."),
    snippets: { nginx: `add_header Content-Security-Policy "upgrade-insecure-requests" always;`, apache: `Header always set Content-Security-Policy "upgrade-insecure-requests"` },
  },
  "security-txt": {
    severity: "low",
    title: t("缺少有效的 security.txt", "No valid security.txt"),
    risk: t("資安研究人員發現漏洞時找不到通報窗口，漏洞可能被公開或濫用。", "Researchers who find a vulnerability have no way to reach you, so it may be published or abused instead."),
    fix: t("在 /.well-known/security.txt 提供 Contact 與 Expires（RFC 9116），以 text/plain 透過 HTTPS 提供，每年更新。", "Publish /.well-known/security.txt with Contact and Expires (RFC 9116), as text/plain over HTTPS, renewed yearly."),
    snippets: { "security.txt": "Contact: mailto:security@shop.example\nExpires: 2027-12-31T23:59:59Z\nPreferred-Languages: zh-TW, en" },
  },
  "privacy-notice": {
    severity: "medium",
    title: t("隱私權政策缺漏（個資法第 8 條告知事項）", "Privacy notice missing items (PDPA Art. 8)"),
    risk: t("個資法第 8 條要求蒐集個資時告知：蒐集者名稱、目的、資料類別、利用期間／地區／對象／方式、當事人權利及行使方式、不提供的影響。缺漏可能受主管機關處分並失去顧客信任。", "PDPA Art. 8 requires telling people the collector, purposes, data categories, period/region/recipients/method of use, their rights and how to exercise them, and the effect of not providing data. Gaps risk penalties and trust."),
    fix: t("在首頁頁尾連結隱私權政策，並逐項寫明第 8 條第 1 項的六項告知事項（中英文皆可）。", "Link the privacy policy from the home page footer and state each of the six Art. 8(1) items."),
  },
  "payment-scripts": {
    severity: "high",
    title: t("付款頁腳本未受控管（PCI DSS 6.4.3）", "Payment-page scripts not controlled (PCI DSS 6.4.3)"),
    risk: t("付款頁上的任何腳本都能讀取卡號；第三方腳本無完整性檢查或以 http 載入時，被竄改即可側錄信用卡。", "Any script on a payment page can read card numbers; a third-party script without integrity or over http can be altered to skim cards."),
    fix: t("付款頁只保留必要腳本並列出清單與理由；第三方腳本加上 SRI；以 CSP 限制來源；或改用金流商的託管付款頁（iframe/轉址）。", "Keep only needed scripts on payment pages with an inventory and reasons; add SRI to third-party scripts; restrict sources with CSP; or use the provider's hosted payment page (iframe or redirect)."),
    snippets: CSP_SNIPPETS,
  },
};

/** Result- or issue-specific wording where the test-level text is not precise enough. */
export const RESULT_ADVICE: Record<string, Partial<Advice>> = {
  "csp-implemented-with-unsafe-inline": { title: t("CSP 允許內嵌腳本（unsafe-inline）", "CSP allows inline scripts (unsafe-inline)") },
  "csp-implemented-with-unsafe-eval": { severity: "medium", title: t("CSP 允許 eval（unsafe-eval）", "CSP allows eval (unsafe-eval)") },
  "cookies-session-without-secure-flag": { severity: "critical", title: t("登入 Cookie 未加 Secure", "Session cookie without Secure") },
  "cookies-session-without-httponly-flag": { severity: "critical", title: t("登入 Cookie 未加 HttpOnly", "Session cookie without HttpOnly") },
  "redirection-invalid-cert": { severity: "critical", title: t("導向 HTTPS 時憑證無效", "Invalid certificate on the way to HTTPS") },
  "hsts-invalid-cert": { severity: "critical", title: t("HTTPS 憑證無效，HSTS 不生效", "Invalid certificate: HSTS cannot take effect") },
  "sri-not-implemented-and-external-scripts-not-loaded-securely": { severity: "critical", title: t("外部腳本以 HTTP 載入且無 SRI", "External scripts over http without SRI") },
  "tls-certificate-expired": { title: t("TLS 憑證已過期", "TLS certificate expired") },
  "tls-hostname-mismatch": { title: t("TLS 憑證名稱與網域不符", "TLS certificate does not match the host name") },
  "tls-certificate-invalid": { title: t("TLS 憑證不受信任", "TLS certificate not trusted") },
  "tls-legacy-protocol-offered": { severity: "medium", title: t("仍提供 TLS 1.0/1.1", "TLS 1.0/1.1 still offered"), risk: t("TLS 1.0/1.1 已被 RFC 8996 廢止，存在已知弱點，PCI DSS 亦不允許。", "TLS 1.0/1.1 are deprecated by RFC 8996, have known weaknesses, and are not allowed by PCI DSS.") },
  "tls-weak-key": { severity: "high", title: t("憑證金鑰過短", "Certificate key too weak") },
  "tls-certificate-expiring-soon": { severity: "medium", title: t("TLS 憑證即將到期（30 天內）", "TLS certificate expires within 30 days") },
  "tls-not-available": { severity: "critical", title: t("網站未提供 HTTPS", "Site has no HTTPS") },
  "cookies-tracking-before-consent": { title: t("未經同意即設定追蹤 Cookie", "Tracking cookies set before consent") },
  "exposure-information-leak": { severity: "medium", title: t("伺服器洩漏內部資訊", "Server leaks internal information") },
  "mixed-content-passive": { severity: "medium", title: t("HTTPS 頁面以 HTTP 載入圖片或媒體", "HTTPS page loads images or media over http") },
  "privacy-notice-missing": { title: t("首頁找不到隱私權政策連結", "No privacy policy linked from the home page") },
  "security-txt-missing": { severity: "info" },
  "payment-page-unreachable": { severity: "medium", title: t("無法取得宣告的付款頁", "Declared payment page could not be fetched") },
};

export const GENERIC_SCAN_ERROR: Advice = {
  severity: "high",
  title: t("掃描未能完成", "The scan could not complete"),
  risk: t("網站無法連線、回應過大或過慢、或導向不允許的位址，因此無法評估安全性。", "The site could not be reached, answered too slowly or too much, or redirected somewhere not allowed, so it could not be assessed."),
  fix: t("確認網站可由公開網路以 HTTP/HTTPS 正常連線，回應迅速且沒有無限導向。", "Make sure the site answers promptly over HTTP/HTTPS from the public internet without redirect loops."),
};
