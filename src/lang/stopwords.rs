//! Function-word lists per language, for stopword density and language detection.
//!
//! The most frequent function words of each language. Keep each list sorted and
//! de-duplicated: after editing, run scripts/gen_stopwords.py, which rewrites
//! this file in that form.

/// (ISO 639-1 code, space-separated lowercase function words).
pub const STOPWORDS: &[(&str, &str)] = &[
    (
        "en",
        "a about after all also an and any are as at be because been but by can could did do does for from had has have he her him his how i if in into is it its just like more most my no not now of on one only or other our out over said she so some such than that the their them then there these they this those through to too up us was we were what when where which while who will with would you your",
    ),
    (
        "de",
        "aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dem den denn der des die dies diese dieser doch dort du durch ein eine einem einen einer eines er es für hat hatte ich ihr ihre im in ist ja jetzt kann kein keine mit muss nach nicht noch nur ob oder ohne sehr sein seine sich sie sind so um und uns unter vom von vor war waren was weil wenn werden wie wir wird wurde zu zum zur über",
    ),
    (
        "fr",
        "au aussi aux avec ce ces cette comme dans de des du elle en est et eux fait il ils je la le les leur lui mais me mes moi mon même ne nos notre nous on ont ou où par pas plus pour qu que qui sa sans se ses son sont sur ta te tes toi ton tu un une vos votre vous à était été être",
    ),
    (
        "es",
        "a al algo como con de del desde donde durante e el ella ellos en entre era es esa ese eso esta este esto fue ha hay la las le les lo los me mi muy más no nos o para pero por porque que se sea ser si sin sobre son su sus también te tiene todo un una uno y ya",
    ),
    (
        "pt",
        "a ao aos as com como da das de dela dele do dos e ela ele eles em entre era essa esse este está foi há isso já mais mas me mesmo muito na nas no nos não o os ou para pela pelo por quando que se sem ser seu seus sua suas também tem um uma você é",
    ),
    (
        "it",
        "a ad al alla alle anche che chi ci come con da dal dalla degli dei del della delle di e gli ha hanno i il in io la le lo loro ma mi ne nel nella noi non o per più quando questa questo se si sono su sua suo tra un una uno è",
    ),
    (
        "nl",
        "aan al als bij dan dat de der deze die dit door een en er had heb hebben heeft het hij hoe hun ik in is je kan maar me meer met mij moet naar niet nog nu of om ook op over te tot u uit van veel voor was wat we wel werd wie wij worden zal ze zich zijn zo",
    ),
    (
        "ru",
        "а без бы был была были было в вам вас весь во вот все всё вы где да для до его ее если есть еще ещё её же за и из или им их к как когда кто ли мы на над не него нее нет ни них но о об он она они оно от по при с со так также там то того тоже только у уже чем что эти это этот я",
    ),
    (
        "pl",
        "a aby ale bardzo by być był była było co czy dla do go i ich ja jak jako jego jej jest jeszcze już ku lub ma mi mnie może na nad nie nim niż o od on ona one oraz po pod przez przy się są ta tak także te tego tej tem to tu ty w we więc z za że",
    ),
    (
        "sv",
        "alla att av blev bli den det dig du där efter ej eller en er ett från för ha hade han hans har henne hennes hon honom hur i inte jag kan man med mig min mot mycket ni nu när och om oss på sedan sig sin sina skulle som så till under upp ut vad var vara vi vid är åt över",
    ),
    (
        "tr",
        "acaba ama ancak bana bazı belki ben beni benim bir biri birkaç biz bu buna bunu da daha de diye en gibi hem her ile ise için kadar ki mi mu mü ne o olan olarak on ona onu sen siz ve veya ya yani şey şu",
    ),
    (
        "id",
        "ada adalah akan atau bagi bahwa banyak belum bisa dalam dan dari dengan di dia harus ini itu jika juga kami kata ke kita lebih mereka namun oleh pada para saat sangat satu saya sebagai sudah tapi telah tersebut tidak untuk yang",
    ),
];
