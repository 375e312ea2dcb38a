// Our own privacy notice (個人資料蒐集告知事項), zh-TW and English: the six items of Taiwan's
// Personal Data Protection Act Art. 8 para. 1, in the order the Act lists them. Plain data, no
// Node or React: the server renders it into the HTML of /privacy (what a scanner or a browser
// without JavaScript reads) and the web app renders the same words (src/web/pages/privacy/).
// Our own scanner's `privacy-notice` check must find every item (own-site.test.ts).

export interface NoticeSection {
  /** the PDPA Art. 8 item this section answers (ids as in checks/privacy-notice.ts) */
  item: "collector" | "purposes" | "categories" | "period-region-recipients-method" | "rights" | "effect-of-not-providing";
  heading: string;
  paragraphs: string[];
}

export interface PrivacyNotice {
  title: string;
  intro: string;
  sections: NoticeSection[];
  updated: string;
}

export const PRIVACY_NOTICE_UPDATED = "2026-11-27";

export const privacyNoticeZh: PrivacyNotice = {
  title: "隱私權政策與個人資料蒐集告知事項",
  intro: "依個人資料保護法第 8 條第 1 項，本平台於蒐集您的個人資料時，告知下列事項。",
  updated: `最後更新：${PRIVACY_NOTICE_UPDATED}`,
  sections: [
    { item: "collector", heading: "一、蒐集者名稱", paragraphs: ["本平台（ectrust 電子商務信賴平台）由電子商務信賴計畫之授證機構營運，為您個人資料的蒐集者。"] },
    { item: "purposes", heading: "二、蒐集之目的", paragraphs: ["本平台蒐集個人資料之特定目的為：帳戶管理與身分驗證、網站主體確認與信賴標章審核、安全偵測結果通知、客戶服務，以及依法令所為之紀錄保存（稽核軌跡）。"] },
    { item: "categories", heading: "三、個人資料之類別", paragraphs: ["姓名、電子郵件、聯絡電話、所屬組織與職務、登入紀錄與 IP 位址、多因素驗證設定，以及商店申請時上傳之證明文件所載資料。"] },
    {
      item: "period-region-recipients-method",
      heading: "四、個人資料利用之期間、地區、對象及方式",
      paragraphs: [
        "期間：帳戶存續期間，及帳戶結束後依法令或稽核需要保存之期間（稽核軌跡至少五年）。",
        "地區：中華民國境內，及本平台主機所在地。",
        "對象：本平台營運單位、受託審核之驗證機構、主管機關，以及依法令有權調閱之機關。",
        "方式：以自動化機器或其他非自動化方式，於上述目的範圍內處理及利用；電子郵件僅用於服務通知。",
      ],
    },
    {
      item: "rights",
      heading: "五、您依個人資料保護法第 3 條得行使之權利及方式",
      paragraphs: ["您得查詢或請求閱覽、請求製給複製本、請求補充或更正、請求停止蒐集、處理或利用，及請求刪除您的個人資料。您可登入後於「帳戶」頁面查閱及更正，或以電子郵件向本平台聯絡窗口（載於本網站 /.well-known/security.txt 之 Contact）提出，本平台將於法定期間內回覆。"],
    },
    { item: "effect-of-not-providing", heading: "六、不提供個人資料所致權益之影響", paragraphs: ["您得自由選擇是否提供個人資料；若您不提供或提供不完整，本平台將無法為您建立帳戶、審核商店或寄送通知。"] },
  ],
};

export const privacyNoticeEn: PrivacyNotice = {
  title: "Privacy policy and personal data notice",
  intro: "As Taiwan's Personal Data Protection Act, Art. 8 para. 1 requires, this notice tells you the following when we collect your personal data.",
  updated: `Last updated: ${PRIVACY_NOTICE_UPDATED}`,
  sections: [
    { item: "collector", heading: "1. Who collects your data", paragraphs: ["This platform (ectrust, the e-commerce trust platform) is operated by the trust programme's authority, which is the data controller and collector of your personal data."] },
    { item: "purposes", heading: "2. Purposes of collection", paragraphs: ["We collect personal data for these purposes: managing accounts and verifying identity, confirming shops and reviewing trust seals, notifying shops of security scan results, customer service, and keeping the records the law requires (the audit trail)."] },
    { item: "categories", heading: "3. Categories of personal data", paragraphs: ["Name, email address, phone number, organisation and role, sign-in records and IP addresses, multi-factor settings, and what the documents a shop uploads contain."] },
    {
      item: "period-region-recipients-method",
      heading: "4. Period, region, recipients and method of use",
      paragraphs: [
        "Period: while your account exists, and afterwards for the retention period the law or audits require (the audit trail is kept at least five years).",
        "Region: Taiwan (R.O.C.) and where the platform's servers are located.",
        "Recipients: the platform's operator, the certification bodies that review applications, the competent authority, and agencies entitled by law.",
        "Method: processed automatically or manually within the purposes above; email is used for service notices only.",
      ],
    },
    {
      item: "rights",
      heading: "5. Your rights and how to exercise them",
      paragraphs: ["Your rights under PDPA Art. 3: to access your data and obtain a copy, to have it supplemented or corrected, to have its collection, processing or use stopped, and to have it deleted. Sign in and use the Account page, or email the contact listed in this site's /.well-known/security.txt; we answer within the period the law sets."],
    },
    { item: "effect-of-not-providing", heading: "6. If you do not provide your data", paragraphs: ["Providing personal data is your choice. If you do not provide it, or provide it incompletely, we are unable to create your account, review your shop or send you notices."] },
  ],
};
