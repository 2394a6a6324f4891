"""Built-in multilingual concept lexicons: English, Malay, Indonesian, Tagalog, Chinese.

Each concept maps a language code to its terms (see :mod:`core.nlp.lexicon` for the term
syntax). Patterns in :mod:`core.rules` combine concepts; configuration can add terms or
whole languages (``lexicon:`` in a rules file) without touching code.

These are general vocabulary of each language for the idea, written from how customers
talk, not lifted from any evaluation file.
"""

from __future__ import annotations

Concepts = dict[str, dict[str, tuple[str, ...]]]


def _t(words: str) -> tuple[str, ...]:
    """Terms separated by ``|`` (so that terms may contain spaces)."""
    return tuple(w.strip() for w in words.split("|") if w.strip())


DEFAULT_CONCEPTS: Concepts = {
    # --- asking for a human -------------------------------------------------------
    "contact_verb": {
        "en": _t(
            "talk*|speak*|spoke|chat*|contact*|connect*|transfer*|reach|call|"
            "get in touch|put me through|get hold of|escalat*|hand me over|pass me|"
            "redirect me|switch me|deal with|direct|direct me|forward me|route me|get through"
        ),
        "ms": _t("cakap|bercakap|berbual|bual|hubungi|sambung*|pindahkan|jumpa"),
        "id": _t(
            "bicara|berbicara|ngobrol|ngomong|hubungi|menghubungi|hubungkan|"
            "sambungkan|disambungkan|dihubungkan"
        ),
        "tl": _t("makausap|kausapin|kausap|pakausap|usap|makipag usap|ikonekta|ilipat"),
        "zh": _t("转|找|联系|接通|转接|联络|跟|和|说话|聊天"),
    },
    "want_verb": {
        "en": _t("need|want|wanna|give me|get me|i'd like|request|prefer"),
        "ms": _t("nak|mahu|hendak|minta|perlukan|perlu"),
        "id": _t("mau|ingin|minta|butuh|perlu"),
        "tl": _t("gusto|kailangan"),
        "zh": _t("要|需要|我要|想"),
    },
    "human_agent": {
        "en": _t(
            "human*|real person|actual person|live person|agent*|representative*|"
            "rep|operator*|live chat|customer service representative|real human|"
            "a real one"
        ),
        "ms": _t("manusia|ejen|wakil|operator|orang sebenar"),
        "id": _t("manusia|agen|cs|operator|admin|petugas|orang asli|orang beneran"),
        "tl": _t("totoong tao|ahente|agent|representative|operator"),
        "zh": _t("人工|真人|客服|人工客服|人工服务|真人客服"),
    },
    "someone": {
        "en": _t(
            "person|someone|somebody|anyone|anybody|staff|manager|supervisor|"
            "assistant|customer care officer"
        ),
        "ms": _t("orang|staf|kakitangan|pengurus|pegawai"),
        "id": _t("orang|karyawan|pegawai|manajer|staf"),
        "tl": _t("tao|tauhan|empleyado|manager|superbisor"),
        "zh": _t("经理|主管|专员|工作人员"),
    },
    "human_request_phrase": {
        "en": _t(
            "human please|agent please|representative please|operator please|"
            "let me talk|i want a human|need a human|real human"
        ),
        "ms": _t("nak cakap dengan orang|cakap dengan manusia|sambung ke ejen"),
        "id": _t("mau bicara dengan manusia|minta cs|hubungkan ke agen|mau ngobrol sama orang"),
        "tl": _t("pakausap sa tao|gusto kong makausap|tao po"),
        "zh": _t("转人工|人工客服|找人工|要人工|真人客服|接人工|人工服务"),
    },
    "decline": {
        "en": _t(
            "don't want|dont want|do not want|don't need|dont need|do not need|"
            "no need|not necessary|never mind"
        ),
        "ms": _t("tak nak|tak perlu|tidak perlu|tak payah"),
        "id": _t("tidak mau|tidak perlu|gak usah|ga usah|nggak usah|tidak usah"),
        "tl": _t("ayoko|ayaw ko|hindi ko kailangan|huwag na"),
        "zh": _t("不要|不用|不需要"),
    },
    "negation": {
        "en": _t(
            "not|never|no|haven't|hasn't|hadn't|didn't|wasn't|weren't|isn't|aren't|don't|"
            "doesn't|havent|hasnt|didnt|wasnt|isnt|dont|doesnt|won't|wont|without"
        ),
        "ms": _t("tak|tidak|bukan|belum|tiada"),
        "id": _t("tidak|bukan|belum|nggak|gak|ga|enggak"),
        "tl": _t("hindi|wala|di"),
        "zh": _t("不|没|没有|未|并未"),
    },
    # --- category A topics ------------------------------------------------------------
    "complaint": {
        "en": _t("complain*|grievance|reclamation|formal complaint"),
        "ms": _t("aduan|mengadu|adu|komplen|komplain"),
        "id": _t("keluhan|mengeluh|komplain|pengaduan|mengadu|aduan"),
        "tl": _t("reklamo|magreklamo|ireklamo|nagrereklamo"),
        "zh": _t("投诉|抱怨|申诉|举报"),
    },
    "dissatisfied": {
        "en": _t(
            "unhappy|dissatisf*|unsatisf*|not satisfied|not happy|fed up|disgusted|"
            "appalled|outraged|poor service|terrible service|worst service|"
            "bad service|awful service"
        ),
        "ms": _t("tak puas hati|tidak puas hati|tidak berpuas hati|kecewa|perkhidmatan teruk"),
        "id": _t("tidak puas|kecewa|tidak senang|pelayanan buruk|layanan buruk"),
        "tl": _t("hindi kuntento|hindi masaya|dismayado|nadismaya|pangit na serbisyo"),
        "zh": _t("不满意|不满|失望|服务太差|服务差"),
    },
    "provider": {
        "en": _t(
            "service|services|company|business|organization|organisation|product|"
            "products|you|your|ur|you guys|work|support|staff|bank|store|shop"
        ),
        "ms": _t("perkhidmatan|syarikat|produk|kamu|awak|korang|bank|kedai"),
        "id": _t("layanan|pelayanan|perusahaan|produk|kalian|anda|bank|toko"),
        "tl": _t("serbisyo|kumpanya|produkto|kayo|ninyo|bangko|tindahan"),
        "zh": _t("服务|公司|产品|你们|银行|商店"),
    },
    "claim": {"en": _t("claim|claims|consumer claim|customer claim|formal claim")},
    "claim_verb": {"en": _t("lodge*|file|filing|make|making|submit*|raise|open")},
    "to_with": {
        "en": _t("to|with"),
        "ms": _t("dengan|dgn|kepada|ke"),
        "id": _t("dengan|dgn|sama|ke"),
        "tl": _t("sa|kay"),
        "zh": _t("跟|和|给"),
    },
    "against": {
        "en": _t("against"),
        "ms": _t("terhadap"),
        "id": _t("terhadap"),
        "tl": _t("laban"),
        "zh": _t("针对"),
    },
    "legal": {
        "en": _t(
            "lawyer*|attorney|solicitor|sue|suing|lawsuit|legal action|court|"
            "small claims|litigation|legal notice|subpoena|take you to court|"
            "legal proceedings|class action"
        ),
        "ms": _t("peguam|saman|menyaman|mahkamah|tindakan undang-undang|tindakan mahkamah"),
        "id": _t(
            "pengacara|menuntut|tuntutan hukum|gugat|gugatan|menggugat|pengadilan|"
            "jalur hukum|somasi|kuasa hukum"
        ),
        "tl": _t("abogado|idedemanda|demanda|magdemanda|kaso|kakasuhan|korte|magsampa ng kaso"),
        "zh": _t("律师|起诉|法院|法律行动|诉讼|告你们|打官司"),
    },
    "regulator": {
        "en": _t(
            "regulator|regulators|regulatory authority|ombudsman|consumer protection|"
            "better business bureau|bbb|fca|cfpb|ftc|central bank|monetary authority|"
            "attorney general|consumer tribunal|consumer affairs|trading standards|"
            "financial conduct authority"
        ),
        "ms": _t(
            "bank negara|bnm|kpdn|kpdnhep|tribunal tuntutan pengguna|"
            "ombudsman perkhidmatan kewangan|suruhanjaya komunikasi|mcmc"
        ),
        "id": _t("ojk|otoritas jasa keuangan|bank indonesia|ylki|bpsk|perlindungan konsumen"),
        "tl": _t("bangko sentral|bsp|dti|ntc|sec|insurance commission"),
        "zh": _t("监管|监管机构|消费者协会|消协|银保监|金管局|工商局|12315"),
    },
    "safety": {
        "en": _t(
            "unsafe|danger*|injur*|hurt|caught fire|on fire|fire|smoke|smoking|"
            "explod*|exploded|electric shock|electrocuted|burned|burnt|poison*|"
            "allergic reaction|choking|emergency|suicid*|kill myself|self harm|"
            "overheat*|gas leak|threatened"
        ),
        "ms": _t(
            "bahaya|berbahaya|cedera|tercedera|terbakar|letupan|meletup|"
            "kejutan elektrik|kecemasan|keracunan"
        ),
        "id": _t(
            "bahaya|berbahaya|cedera|terluka|terbakar|meledak|kesetrum|darurat|keracunan|bunuh diri"
        ),
        "tl": _t(
            "delikado|mapanganib|nasugatan|nasunog|sumabog|nakuryente|emergency|"
            "nalason|magpakamatay"
        ),
        "zh": _t("危险|受伤|着火|起火|爆炸|触电|自杀|中毒|冒烟"),
    },
    "security_phrase": {
        "en": _t(
            "identity theft|fraud|fraudulent|fraudster|phishing|phished|scam|scammed|"
            "scammer|hacked|hacker|compromised|unauthorised access|unauthorized access|"
            "account takeover|skimmed|cloned card|card cloned"
        ),
        "ms": _t("penipuan|ditipu|kena scam|kena hack|digodam|akaun digodam"),
        "id": _t("penipuan|ditipu|diretas|dibobol|kebobolan|akun diretas"),
        "tl": _t("na hack|nahack|na scam|naloko|niloko"),
        "zh": _t("盗刷|被黑|被骗|诈骗|冒用|盗用|账号被盗|卡被盗"),
    },
    "theft": {
        "en": _t(
            "stolen|stole|steal*|someone else|someone is using|someone used|"
            "someone has|somebody used|without my permission|without my knowledge|"
            "took my|taken from me|copied|someone accessed|someone logged|"
            "logged into my|logged in to my|got into my"
        ),
        "ms": _t("dicuri|curi|kena curi|orang lain guna|orang lain masuk"),
        "id": _t("dicuri|dicopet|dijambret|orang lain pakai|orang lain masuk"),
        "tl": _t("ninakaw|nanakaw|nanakawan|dinukot|ginamit ng iba"),
        "zh": _t("被盗|被偷|偷了|别人用|被人用"),
    },
    "loss": {
        "en": _t(
            "lost|lose|missing|can't find|cannot find|cant find|misplaced|no longer have|left my"
        ),
        "ms": _t("hilang|kehilangan|tercicir|tak jumpa"),
        "id": _t("hilang|kehilangan|ketinggalan|tidak ketemu"),
        "tl": _t("nawala|nawawala|naiwan|hindi ko makita"),
        "zh": _t("丢了|丢失|遗失|找不到|不见了"),
    },
    "secret_asset": {
        "en": _t(
            "card|cards|debit card|credit card|account|accounts|password|pin|login|"
            "online banking|otp|identity|details|app"
        ),
        "ms": _t("kad|akaun|kata laluan|pin|identiti"),
        "id": _t("kartu|akun|rekening|kata sandi|pin|identitas"),
        "tl": _t("card|account|password|pin"),
        "zh": _t("卡|信用卡|银行卡|账户|账号|密码|身份"),
    },
    "physical_asset": {
        "en": _t("card|cards|debit card|credit card|phone|mobile|wallet|purse|bag|sim"),
        "ms": _t("kad|telefon|dompet|beg|sim"),
        "id": _t("kartu|hp|ponsel|handphone|dompet|tas|sim"),
        "tl": _t("card|cellphone|selpon|cp|pitaka|wallet|bag"),
        "zh": _t("卡|信用卡|银行卡|手机|钱包|包"),
    },
    "unrecognised": {
        "en": _t(
            "don't recognise|don't recognize|dont recognise|dont recognize|"
            "do not recognise|do not recognize|not recognise|not recognize|"
            "didn't make|did not make|didnt make|never made|didn't authorise|"
            "didn't authorize|did not authorise|did not authorize|unauthori*|"
            "not authorised|not authorized|not mine|isn't mine|wasn't me|not me|"
            "don't remember making|didn't do|unknown|strange|suspicious|weird|"
            "don't know about|know nothing about|didn't approve"
        ),
        "ms": _t("bukan saya|tidak dibenarkan|tanpa kebenaran|tak kenal|mencurigakan|pelik"),
        "id": _t("bukan saya|tidak saya kenal|tidak dikenal|mencurigakan|tanpa izin|aneh"),
        "tl": _t("hindi ko ginawa|hindi akin|kahina hinala|hindi ko kilala|kakaiba"),
        "zh": _t("不是我|陌生|可疑|未经授权|不认识|莫名其妙"),
    },
    "transaction": {
        "en": _t(
            "payment*|transaction*|charge|charges|charged|withdrawal*|withdrew|"
            "debit|direct debit|transfer*|purchase*|cash"
        ),
        "ms": _t("bayaran|pembayaran|transaksi|caj|pengeluaran|potongan|pindahan"),
        "id": _t("pembayaran|transaksi|tagihan|penarikan|potongan|transfer"),
        "tl": _t("bayad|transaksyon|singil|withdrawal|transfer"),
        "zh": _t("交易|扣款|付款|消费|取款|转账"),
    },
    "death": {
        "en": _t(
            "passed away|died|death|deceased|funeral|bereave*|late husband|"
            "late wife|late father|late mother|estate of"
        ),
        "ms": _t("meninggal|meninggal dunia|arwah|kematian|sudah tiada|pengebumian"),
        "id": _t("meninggal|wafat|almarhum|almarhumah|kematian|berpulang|pemakaman"),
        "tl": _t("namatay|pumanaw|yumao|patay na|burol|libing"),
        "zh": _t("去世|过世|逝世|死了|丧事|遗产|葬礼"),
    },
    "dispute": {
        "en": _t(
            "dispute*|disputing|contest the|chargeback|breach of contract|"
            "contract dispute|billing dispute"
        ),
        "ms": _t("pertikaian|pertikai|bantah|membantah"),
        "id": _t("sengketa|sanggah|menyanggah|membantah"),
        "tl": _t("pagtatalo|kinokontra|dispute"),
        "zh": _t("争议|纠纷|异议|拒付"),
    },
    # --- category B topics ------------------------------------------------------------
    "many": {
        "en": _t("several|multiple|many|lots of|bunch of|so many"),
        "ms": _t("banyak|beberapa|pelbagai"),
        "id": _t("banyak|beberapa|berbagai"),
        "tl": _t("maraming|ilang|iba't ibang"),
        "zh": _t("好几个|多个|很多"),
    },
    "issues": {
        "en": _t("issues|problems"),
        "ms": _t("masalah|isu"),
        "id": _t("masalah|isu"),
        "tl": _t("problema|isyu"),
        "zh": _t("问题"),
    },
    "emotional": {
        "en": _t(
            "anxious|anxiety|stressed|depressed|desperate|scared|afraid|terrified|"
            "crying|in tears|devastated|overwhelmed|heartbroken|panicking|panic|"
            "mental health|divorce|lost my job|hospital|worried sick"
        ),
        "ms": _t("risau|tertekan|stres|takut|menangis|sedih|putus asa|panik|hospital"),
        "id": _t("cemas|stres|takut|menangis|sedih|putus asa|panik|rumah sakit|depresi"),
        "tl": _t("nag aalala|takot|umiiyak|stress|malungkot|nalulungkot|ospital|desperado"),
        "zh": _t("焦虑|害怕|哭|崩溃|绝望|难过|医院|抑郁"),
    },
    "negotiation": {
        "en": _t(
            "negotiat*|waive|waiver|price match|match the price|better deal|"
            "better offer|better price|lower my bill|reduce my bill|lower price|"
            "retention offer|cheaper elsewhere|competitor*|counter offer"
        ),
        "ms": _t(
            "rundingan|runding|kurangkan harga|turunkan harga|harga lebih murah|tawar menawar"
        ),
        "id": _t("nego|negosiasi|tawar|turunkan harga|harga lebih murah|kompetitor"),
        "tl": _t("tawad|makatawad|mas mura|babaan ang presyo|ibaba ang presyo"),
        "zh": _t("讨价还价|便宜点|降价|打折吗|谈判|竞争对手"),
    },
    # --- frustration cues (customer-service specific, any language) -----------------
    # waiting itself: with a duration, a frustration cue on its own
    "waited": {
        # ("forever" and "for ages" alone are Reddit's hyperbole: they count as durations)
        "en": _t("waiting|waited|on hold|kept waiting|taking forever|takes forever|took forever"),
        "ms": _t("tunggu|menunggu"),
        "id": _t("tunggu|menunggu|nunggu"),
        "tl": _t("naghihintay|hinintay|naghintay|hintay"),
        "zh": _t("等|等了"),
    },
    # time gone by ("it's been 3 days", "sudah 2 hari"): a cue only with something
    # still missing ("...and no refund"), since "been a customer for years" is praise
    "elapsed": {
        "en": _t("been|still|already|took"),
        "ms": _t("sudah|dah|masih|sejak"),
        "id": _t("sudah|udah|masih|sejak"),
        "tl": _t("kanina pa|matagal|mula pa"),
        "zh": _t("已经|一直"),
    },
    "duration": {
        "en": _t(
            "hour|hours|an hour|day|days|week|weeks|month|months|minutes|ages|"
            "forever|all day|all morning"
        ),
        "ms": _t("jam|hari|minggu|bulan|minit"),
        "id": _t("jam|hari|minggu|bulan|menit"),
        "tl": _t("oras|araw|linggo|buwan|minuto"),
        "zh": _t("小时|天|个月|分钟|星期|周"),
    },
    # "still not" is a complaint with what the customer is still waiting for ("still not
    # working", "masih belum sampai", "还没收到"), not on its own ("I'm still not sure",
    # "saya masih belum pasti", "我还没决定")
    "still_not": {
        "en": _t(
            "still not|still no|still haven't|still hasn't|still havent|still hasnt|"
            "still don't|still doesn't|still isn't|still can't|still cannot|still won't"
        ),
        "ms": _t("masih tak|masih tidak|masih belum|masih tiada|belum lagi|tetap tak"),
        "id": _t("masih belum|masih tidak|masih gak|masih nggak|belum juga|tetap tidak"),
        "tl": _t("hindi pa rin|wala pa rin|di pa rin"),
        "zh": _t("还没|还是没|还是不|仍然没|仍未|依然没|一直没|到现在还"),
    },
    "outcome": {
        "en": _t(
            "work*|fix*|resolv*|sorted|receiv*|arriv*|deliver*|here|refund*|got|heard|"
            "repl*|respon*|answer*|come|updat*|log in|login|connect*"
        ),
        "ms": _t(
            "sampai|terima|diterima|dapat|balas|dibalas|jawab|dijawab|jawapan|berfungsi|"
            "boleh login|boleh masuk|boleh guna|refund|bayaran balik|selesai|diselesaikan|"
            "dihantar|masuk|dikreditkan|dipulangkan"
        ),
        "id": _t(
            "sampai|terima|diterima|dapat|balas|dibalas|jawab|dijawab|jawaban|berfungsi|"
            "bisa login|bisa masuk|bisa dipakai|bisa digunakan|refund|pengembalian dana|"
            "selesai|diselesaikan|dikirim|datang|masuk|cair|diproses"
        ),
        "tl": _t(
            "dumadating|dumating|dumarating|natatanggap|natanggap|sumasagot|sumagot|sagot|"
            "gumagana|refund|naaayos|naayos|naibabalik|naibalik|napoproseso|naipadala|pumapasok"
        ),
        "zh": _t("到|收到|退款|回复|回应|解决|修好|弄好|发货|处理|到账|能用|登录|登陆|送达|退"),
    },
    "repeated_contact": {
        "en": _t(
            "third time|3rd time|fourth time|again and again|i keep asking|keep asking you|"
            "already told you|told you already|told you before|told you twice|"
            "how many times do i|how many times have i|"
            "how many times must i|how many more times|for the last time|"
            "still nothing|"
            "no response|no reply|nobody replied|ignored me|ignored my|being ignored|"
            "been ignored|ignoring me|ignoring my|useless|"
            "ridiculous|unacceptable|waste of time|wasting my time|not helpful|"
            "not helping|doesn't help|pathetic|incompetent|scam|"
            # "joke" alone is mostly a joke
            "is a joke|are a joke|what a joke|such a joke|total joke|complete joke|"
            "absolute joke|joke of a"
        ),
        "ms": _t(
            "dah banyak kali|berkali kali|tak guna|teruk|"
            "lembab|bodoh|bengang|geram|menyampah|marah|kecewa|buang masa"
        ),
        "id": _t(
            "berkali kali|tidak berguna|payah|parah|lelet|"
            "lemot|kesal|kecewa|marah|bodoh|goblok|bego|buang waktu"
        ),
        "tl": _t(
            "paulit ulit|ilang beses|walang kwenta|"
            "nakakainis|nakakabwisit|bwisit|galit|badtrip|ang tagal|sayang oras"
        ),
        "zh": _t("太慢|垃圾|气死|生气|失望|烂|无语|骗子|浪费时间|没用"),
    },
}
