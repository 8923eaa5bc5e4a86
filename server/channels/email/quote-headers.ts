/**
 * The lines mail clients write around quoted history, in the languages our visitors write in:
 * attributions, Outlook's header labels, "Original Message" rules, forward markers, device
 * footers and legal disclaimers. Phrases come from the clients themselves (as recorded in
 * `test/fixtures/email-corpus/`); `strip.ts` decides what to do with them.
 */

/** Verbs that end an attribution: "On …, Ana wrote:", "Am … schrieb Ana:", "… 写道：". */
const WROTE = [
  "wrote",
  "writes",
  "said",
  "schrieb",
  "geschrieben",
  "a écrit",
  "écrit",
  "escribió",
  "escreveu",
  "ha scritto",
  "scrisse",
  "schreef",
  "skrev",
  "skriver",
  "kirjoitti",
  "napsal(?:\\(a\\)|a)?",
  "napísal(?:\\(a\\)|a)?",
  "napisał(?:\\(a\\)|a)?",
  "pisze",
  "(?:je )?napisao(?:/la)?(?: je)?",
  "(?:je )?napisala(?: je)?",
  "napisao\\(la\\)",
  "написал(?:\\(а\\)|а)?",
  "пишет",
  "пише",
  "написав(?:\\(ла\\)|ла)?",
  "написала",
  "írta",
  "a scris",
  "yazdı",
  "έγραψε",
  "kirjutas",
  "写道",
  "寫道",
  "のメール",
  "は書きました",
  "が書きました",
  "كتب(?:/كتبت)?",
  "كتبت",
].join("|");

/** Unicode-aware end of a word (`\\b` only knows ASCII). */
const WORD_END = "(?![\\p{L}\\p{N}])";

/** A line that ends like an attribution ("… wrote:"), any language. */
export const ATTRIBUTION_END = new RegExp(
  `(?:${WROTE})(?:\\s+\\S.{0,80})?\\s*[:：]\\s*$|(?:${WROTE})\\s*$`,
  "iu",
);

/**
 * An attribution that starts as one ("Am 20.06.24 um 16:20 schrieb Ana", no colon) or is
 * worded around the name ("Wiadomość napisana przez Ana w dniu 17.01.2023, o godz. 11:09:").
 */
export const ATTRIBUTION_LEAD = new RegExp(
  `^(?:(?:on|am|le|el|il|em|op|den|dne|dana|dnia|w dniu|u|pe|ti|to|ke|في)\\s.{0,80}\\p{Nd}.{0,160}(?:^|\\s)(?:${WROTE})${WORD_END}|(?:wiadomość napisana przez|message from)\\s.{0,200}[:：]\\s*$)`,
  "iu",
);

/** Gmail's verbless attribution: "2016-10-24 15:36 GMT+02:00 Foo <foo@x>:". */
export const GMAIL_ISO_ATTRIBUTION = /^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2} GMT[+-]\d{1,2}:\d{2}\s/;

/** Zoho's "---- On Fri, 03 Jan 2025 10:15:00 +0100 Ana <ana@x> wrote ----". */
export const DASHED_ATTRIBUTION = new RegExp(`^-{2,}.*(?:${WROTE}).*-{2,}\\s*$`, "iu");

/** "-----Original Message-----", "-------- Message d'origine --------" and the like. */
export const ORIGINAL_MESSAGE = new RegExp(
  `^[\\s>]*[-_=*]{2,}\\s*(?:${[
    "original message",
    "original-nachricht",
    "reply message",
    "ursprüngliche nachricht",
    "originalnachricht",
    "message d'origine",
    "message d’origine",
    "message original",
    "mensaje original",
    "messaggio originale",
    "mensagem original",
    "oorspronkelijk bericht",
    "origineel bericht",
    "oorspronkelijk e-mailbericht",
    "wiadomość oryginalna",
    "oryginalna wiadomość",
    "исходное сообщение",
    "оригинальное сообщение",
    "оригінальне повідомлення",
    "вихідне повідомлення",
    "izvorna poruka",
    "originalna poruka",
    "izvorno sporočilo",
    "ursprungligt meddelande",
    "ursprungligt mail",
    "oprindelig meddelelse",
    "oprindelig besked",
    "opprinnelig melding",
    "opprinnelig e-post",
    "alkuperäinen viesti",
    "původní zpráva",
    "pôvodná správa",
    "eredeti üzenet",
    "mesaj original",
    "mesajul original",
    "orijinal mesaj",
    "αρχικό μήνυμα",
    "原始邮件",
    "原始郵件",
    "原始訊息",
    "元のメッセージ",
    "オリジナル メッセージ",
  ].join("|")})\\s*[-_=*]{2,}`,
  "iu",
);

/** The first line of a forward, as Gmail, Apple Mail, Thunderbird and Outlook write it. */
export const FORWARD_MARKER = new RegExp(
  `^[\\s>]*(?:[-_=*]{2,}\\s*)?(?:${[
    "forwarded message",
    "forwarded e-?mail",
    "begin forwarded message",
    "weitergeleitete nachricht",
    "anfang der weitergeleiteten nachricht",
    "message transféré",
    "début du message transféré",
    "début du message réexpédié",
    "mensaje reenviado",
    "inicio del mensaje reenviado",
    "messaggio inoltrato",
    "inizio messaggio inoltrato",
    "mensagem encaminhada",
    "início da mensagem reencaminhada",
    "mensagem reencaminhada",
    "doorgestuurd bericht",
    "begin doorgestuurd bericht",
    "doorgestuurd e-mailbericht",
    "przekazana wiadomość",
    "wiadomość przekazana",
    "początek przekazywanej wiadomości",
    "пересылаемое сообщение",
    "пересланное сообщение",
    "начало переадресованного сообщения",
    "переслане повідомлення",
    "пересланий лист",
    "початок пересланого повідомлення",
    "proslijeđena poruka",
    "prosljeđena poruka",
    "početak proslijeđene poruke",
    "vidarebefordrat meddelande",
    "vidarebefordrat mejl",
    "början på vidarebefordrat meddelande",
    "videresendt meddelelse",
    "videresendt besked",
    "start på videresendt besked",
    "videresendt melding",
    "begynnelse på videresendt melding",
    "välitetty viesti",
    "edelleenlähetetty viesti",
    "välitetty viesti alkaa",
    "přeposlaná zpráva",
    "začátek přeposlané zprávy",
    "továbbított üzenet",
    "mesaj redirecționat",
    "iletilmiş ileti",
    "转发的邮件",
    "轉寄的郵件",
    "转发邮件",
    "転送されたメッセージ",
    "メッセージを転送",
    "転送メッセージ",
  ].join("|")})${WORD_END}`,
  "iu",
);

/** Outlook's header labels (From, Sent, Date, To, Cc, Subject), by language. */
const LABELS: Record<"from" | "sent" | "to" | "cc" | "subject", string[]> = {
  from: [
    "from",
    "от кого",
    "nadawca",
    "من",
    "von",
    "de",
    "da",
    "van",
    "od",
    "от",
    "від",
    "šalje",
    "från",
    "fra",
    "lähettäjä",
    "feladó",
    "de la",
    "kimden",
    "saatja",
    "από",
    "差出人",
    "送信元",
    "发件人",
    "寄件者",
    "送信者",
  ],
  sent: [
    "sent",
    "date",
    "message du",
    "envoye",
    "تم الإرسال",
    "التاريخ",
    "gesendet",
    "datum",
    "envoyé",
    "envoyé le",
    "enviado",
    "enviado el",
    "enviada em",
    "enviado em",
    "fecha",
    "inviato",
    "data",
    "verzonden",
    "verstuurd",
    "wysłano",
    "wysłane",
    "отправлено",
    "дата",
    "надіслано",
    "poslano",
    "poslana",
    "skickat",
    "sendt",
    "dato",
    "lähetetty",
    "päivämäärä",
    "odesláno",
    "odoslané",
    "elküldve",
    "dátum",
    "trimis",
    "gönderildi",
    "tarih",
    "saadetud",
    "στάλθηκε",
    "ημερομηνία",
    "送信日時",
    "日付",
    "发送时间",
    "日期",
    "时间",
    "寄件日期",
  ],
  to: [
    "to",
    "adresat",
    "إلى",
    "an",
    "à",
    "a",
    "para",
    "aan",
    "do",
    "кому",
    "za",
    "prima",
    "till",
    "til",
    "vastaanottaja",
    "komu",
    "címzett",
    "către",
    "kime",
    "adressaat",
    "προς",
    "宛先",
    "送信先",
    "收件人",
    "收件者",
  ],
  cc: [
    "cc",
    "copie à",
    "kopie",
    "kopia",
    "kopi",
    "kopio",
    "копия",
    "копія",
    "dw",
    "kópia",
    "抄送",
    "副本",
  ],
  subject: [
    "subject",
    "sujet",
    "الموضوع",
    "betreff",
    "objet",
    "asunto",
    "oggetto",
    "assunto",
    "onderwerp",
    "temat",
    "тема",
    "predmet",
    "ämne",
    "emne",
    "aihe",
    "předmět",
    "tárgy",
    "subiect",
    "konu",
    "teema",
    "θέμα",
    "件名",
    "主题",
    "主旨",
  ],
};

type Field = keyof typeof LABELS;
const FIELD_OF = new Map<string, Field>(
  Object.entries(LABELS).flatMap(([field, names]) => names.map((n) => [n, field as Field])),
);
const ALL_LABELS = [...FIELD_OF.keys()].sort((a, b) => b.length - a.length).join("|");
const LABEL_LINE = new RegExp(`^[\\s>]*\\**\\s*(${ALL_LABELS})\\s*\\**\\s*[:：]`, "iu");
/** Labels run together on one line ("Temat: RE: … 13:46Nadawca: … Adresat:"): long ones only. */
const LABEL_INSIDE = new RegExp(
  `(${[...FIELD_OF.keys()].filter((n) => n.length >= 4).join("|")})\\s*\\**\\s*[:：]`,
  "giu",
);

/** Which of Outlook's header fields a line starts with ("from", "sent", …), or null. */
export function headerLabel(line: string): Field | null {
  const match = LABEL_LINE.exec(line);
  return match ? (FIELD_OF.get(match[1]!.toLowerCase()) ?? null) : null;
}

/** Every header field a line names, also those run together after the first. */
export function headerLabels(line: string): Field[] {
  const first = headerLabel(line);
  if (first === null) return [];
  const inside = [...line.matchAll(LABEL_INSIDE)].map((m) => FIELD_OF.get(m[1]!.toLowerCase())!);
  return [first, ...inside];
}

/** Subjects of forwarded mail: "Fwd:", "FW:", "WG:", "TR:", "RV:", "VS:", "I:", "Doorst:"… */
export const FORWARD_SUBJECT =
  /^\s*(?:\[[^\]]*\]\s*)?(?:videresend|vidarebefordra|weitergeleitet|doorgestuurd|fwd?|wg|tr|rv|vs|vb|vl|i|enc|doorst|pd|přeposl|továbbítás|ilt|転送|转发|轉寄|пересл|фв)\s*[:：]/iu;

/** Device and app footers: a "sent" word and a device or app, in a short line of its own. */
const SENT = [
  ...["sent", "gesendet", "envoyé", "enviado", "inviato", "verzonden", "verstuurd", "wysłane"],
  ...["wysłano", "poslano", "skickat", "sendt", "lähetetty", "odesláno", "odoslané", "trimis"],
  ...["küldve", "beziehen", "отправлено", "надіслано", "послано", "أُرسلت", "أرسلت", "送信"],
  ...["发自", "發自", "傳送", "发送", "from my", "from mobile", "de mon", "von meinem"],
  ...["get outlook", "obtenir outlook", "obter o outlook", "obtener outlook", "scarica outlook"],
  ...["baixe o outlook", "hent outlook", "skaffa outlook", "pobierz outlook", "hanki outlook"],
  ...["holen sie sich outlook", "outlook downloaden", "získat outlook", "скачайте outlook"],
].join("|");
/** A footer starts ("Sent from my iPhone") or ends ("Von meinem iPhone gesendet") with it. */
const SENT_AT_AN_END = new RegExp(`^(?:${SENT})${WORD_END}|(?<![\\p{L}])(?:${SENT})$`, "iu");
const DEVICE =
  /iphone|ipad|ipod|android|mobile|mobil|phone|smartphone|galaxy|samsung|huawei|xiaomi|\bpixel\b|nokia|blackberry|tablet|handy|outlook|gmail|yahoo|aol|airmail|mailbox|mail\b|mail for|почт|k-9|windows|\bpc\b|\bapp\b|телефон|телефона/iu;

/** "发自我的iPhone", "從我的 iPhone 傳送", "iPhoneから送信": no spaces to find words by. */
const CJK_FOOTER =
  /^(?:(?:发自|發自|从|從|来自)我的\s?[\p{L}\p{N} ]{2,20}(?:\s?(?:傳送|发送))?|[\p{L}\p{N} ]{2,20}(?:から送信|より送信))$/u;

/** Whether a line is only a device footer ("Sent from my iPhone", "iPhoneから送信"). */
export function isDeviceFooter(line: string): boolean {
  const text = line
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // a Markdown link keeps its text
    .replace(/<?https?:\/\/\S*>?/g, "")
    .replace(/^[\s(<]+|[\s)>.]+$/g, "")
    .trim();
  if (text.length === 0 || text.length > 80) return false;
  // "Sent from my desk, is much easier …" and "… please excuse typos" are sentences.
  if (/[,;!?]\s|\.\s+\S/.test(text)) return false;
  if (/^sent from my(?:\s+\S+){1,5}$/i.test(text)) return true;
  if (CJK_FOOTER.test(text)) return true;
  return SENT_AT_AN_END.test(text) && DEVICE.test(text);
}

/** The first line of a legal disclaimer paragraph. */
export const DISCLAIMER =
  /^(?:\*{0,2}\s*)?(?:保密声明|免责声明|機密保持|秘密保持|本邮件(?:及其附件)?(?:含有|包含)|この(?:電子)?メール(?:には|は)|aviso legal|aviso de confidencialidad|avis de confidentialité|avertissement|rechtlicher hinweis|haftungsausschluss|vertraulichkeitshinweis|avvertenza|informativa|clausola di riservatezza|confidential|confidentiality|disclaimer|this e-?mail has been scanned|privileged|important notice|legal notice|notice:|this (?:e-?mail|message|communication|transmission)\b.{0,40}\b(?:confidential|intended|privileged|may contain|contains)|the (?:information|content) (?:contained )?in this|diese (?:e-?mail|nachricht)\b.{0,40}\b(?:vertraulich|enthält|ist)|vertraulichkeit|ce (?:message|courriel|e-?mail)\b.{0,40}\b(?:confidenti|destiné|contient)|este (?:correo|mensaje|e-?mail)\b.{0,40}\b(?:confidencial|contiene|dirigido)|questo messaggio\b.{0,40}\b(?:riservat|confidenzial|destinat)|deze e-?mail\b.{0,40}\b(?:vertrouwelijk|bestemd)|ta wiadomość\b.{0,40}\b(?:poufn|przeznaczon)|это (?:сообщение|письмо)\b.{0,40}\b(?:конфиденциальн|предназначен)|ova (?:poruka|e-?mail)\b.{0,40}\b(?:povjerljiv|namijenjen)|tämä viesti\b.{0,40}\b(?:luottamuksellinen|tarkoitettu)|detta (?:e-?postmeddelande|meddelande)\b.{0,40}\b(?:konfidentiell|avsett)|denne (?:e-?mail|meddelelse|meldingen|e-?posten)\b.{0,40}\b(?:fortrolig|konfidensiell|beregnet)|esta mensagem\b.{0,40}\b(?:confidencia|destinada))/iu;
