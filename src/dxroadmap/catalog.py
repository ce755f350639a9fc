"""Every message of dxroadmap in Japanese and English: key -> (日本語, English).

Placeholders are `{name}` (str.format); both languages use the same names (a test checks it).
Labels of tables live in `i18n._WORDS`; problem messages, refusals, prompts and help texts here.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- fiscal years and quarters
    "year.unreadable": (
        "{value} は年度として読めません(R5、令和5年度、H30、平成30年度、FY2023 または 2023 と書いてください)",
        "{value} is not a fiscal year (write R5, 令和5年度, H30, 平成30年度, FY2023 or 2023)",
    ),
    "year.two": (
        "{value} は二つの異なる年度を指しています({year} と {era})",
        "{value} names two different fiscal years ({year} and {era})",
    ),
    "year.range": (
        "{value} は扱える年度({low}–{high})の範囲外です",
        "{value} is outside the years the tool handles ({low}–{high})",
    ),
    "date.unreadable": (
        "{value} は日付として読めません(2026-11-15、2026/11/15、2026年11月15日、令和8年11月15日、R8.11.15 のように書いてください)",
        "{value} is not a date (write 2026-11-15, 2026/11/15, 2026年11月15日, 令和8年11月15日 or R8.11.15)",
    ),
    "quarter.unreadable": (
        "{value} は四半期として読めません(Q1、Q2、Q3、Q4 のいずれか)",
        "{value} is not a quarter (write Q1, Q2, Q3 or Q4)",
    ),
    "half.unreadable": (
        "{value} は半期として読めません(上期、下期、H1、H2 のいずれか)",
        "{value} is not a half year (write 上期, 下期, H1 or H2)",
    ),
    "cadence.unreadable": (
        "{value} は報告頻度として読めません(四半期、半期、年度 のいずれか)",
        "{value} is not a reporting cadence (write 四半期, 半期 or 年度)",
    ),
    # --- the model
    "model.date_as_text": (
        "YAML は {value} を日付として読みます。文字列にするには引用符で囲んでください('{value}')",
        "YAML reads {value} as a date, not text: put it in quotes ('{value}')",
    ),
    "model.empty_text": ("文字列が空です", "text is empty"),
    "model.duplicate_year": ("{first} と {second} は同じ年度です", "{first} and {second} name the same fiscal year"),
    "model.direction": ("方向 は 増加 または 減少 です", "方向 is 増加 (higher is better) or 減少 (lower is better)"),
    "model.outlook": ("見通し は 順調、注意、困難 のいずれかです", "見通し is 順調, 注意 or 困難"),
    "model.not_number": ("数値ではありません: {value}", "expected a number, got {value}"),
    "model.not_finite": ("有限の数値ではありません: {value}", "expected a finite number, got {value}"),
    "model.unknown_key": ("不明なキー {key}{hint}", "unknown key {key}{hint}"),
    "model.did_you_mean": (" ({near} の誤りですか?)", " (did you mean {near}?)"),
    "model.expected_keys": (" (使えるキー: {keys})", " (expected one of {keys})"),
    "model.kpi_pair": ("指標 と 値 は組で書いてください", "指標 and 値 go together: give both"),
    "model.actual_empty": (
        "実績には 内容、達成、指標と値 のいずれかが必要です",
        "an actual needs at least one of 内容, 達成, 指標 and 値",
    ),
    "model.two_baseline_dates": (
        "基準年度 と 基準日 はどちらか一方だけ書いてください",
        "give 基準年度 or 基準日, not both",
    ),
    "model.quarter_and_half": ("四半期 と 半期 はどちらか一方だけ書いてください", "give 四半期 or 半期, not both"),
    "model.period_order": ("期間: 終了 が 開始 より前です", "期間: 終了 comes before 開始"),
    "model.missing_key": ("キー {key} がありません", "missing key {key}"),
    "model.wrong_type": ("{where}{expected}が必要ですが、{got}です", "{where}expected {expected}, got {got}"),
    "model.no_initiative": ("取組 には少なくとも一つの取組が必要です", "取組 needs at least one initiative"),
    "type.text": ("文字列", "text"),
    "type.int": ("整数", "a whole number"),
    "type.number": ("数値", "a number"),
    "type.list": ("リスト", "a list"),
    "type.mapping": ("マッピング(キー: 値)", "a mapping (key: value)"),
    "type.date": ("日付(2026-11-15、令和8年11月15日 など)", "a date (2026-11-15, 令和8年11月15日, …)"),
    "type.date_only": ("時刻のない日付(YYYY-MM-DD)", "a date without a time (YYYY-MM-DD)"),
    "type.bool": ("true か false", "true or false"),
    "got.nothing": ("空", "nothing"),
    "got.mapping": ("マッピング", "a mapping"),
    "got.list": ("リスト", "a list"),
    "got.number": ("数値 {value}", "the number {value}"),
    "got.text": ("文字列 {value}", "the text {value}"),
    # --- checks beyond the schema
    "check.year_far": (
        "{year}({western}年度)は計画の期間 {span} から{far}年以上離れています。年度の書き間違いではありませんか",
        "{year} (FY{western}) is more than {far} years away from the plan's period {span}: a typo?",
    ),
    "check.undated": (
        "{year} の実績に 四半期・半期・日付 がありません: {year} が終わるまでは基準日({as_of})の実績として数えます(四半期: Q2 や 日付: 2026-11-15 を書いてください)",
        "this {year} actual has no 四半期, 半期 or 日付: until {year} ends it counts from the as-of date ({as_of}); add 四半期: Q2 or 日付: 2026-11-15",
    ),
    "check.duplicate_entry": (
        "同じ実績が {period} に二度書かれています",
        "the same actual is written twice for {period}",
    ),
    "check.kpi_twice": ("指標 {kpi} の値が {period} に二度書かれています", "a second value of {kpi} for {period}"),
    "check.unknown_rating": (
        "評価 {rating} は計画の評価区分にありません(使える記号: {symbols})",
        "評価 {rating} is not in the plan's 評価区分 (use one of {symbols})",
    ),
    "check.did_you_mean": (" ({near} の誤りですか?)", " (did you mean {near}?)"),
    "check.plan_has": (" (計画にあるもの: {choices})", " (the plan has: {choices})"),
    "check.unknown_field": ("政策分野 {field} は計画にありません{hint}", "no field {field} in the plan{hint}"),
    "check.unknown_focus": (
        "{focus} は {field} の取組方針にありません{hint}",
        "{focus} is not a focus area of {field}{hint}",
    ),
    "check.out_of_period": ("{year} は計画の期間 {span} の外です", "{year} is outside the plan's period {span}"),
    "check.unknown_target": (
        "達成 に書かれた {name} は、{initiative} の {year} 以前の目標にありません{hint}",
        "達成 names {name}, which is no target of {initiative} in {year} or before{hint}",
    ),
    "check.due_outside": (
        "期限 {due} は {year}({start} – {end})の外です",
        "期限 {due} is outside {year} ({start} – {end})",
    ),
    "check.too_many": (
        "目標と実績が {count} 件あります。上限は {limit} 件です(実際のロードマップは百件ほど)",
        "{count} targets and actuals; the limit is {limit} (a real roadmap has about a hundred)",
    ),
    "check.duplicate_initiative": (
        "取組 {name} が二つあります({number} 番目にも)",
        "initiative {name} appears twice (also number {number})",
    ),
    # --- reading files
    "source.too_large": (
        "ファイルが {size} バイトあります。上限は {limit} バイトです",
        "the file is {size} bytes; the limit is {limit}",
    ),
    "source.not_utf8": (
        "UTF-8 ではありません({guess})。UTF-8 で保存し直してください"
        "(例: `iconv -f {encoding} -t UTF-8`、またはエディタの「名前を付けて保存」で UTF-8 を選択)",
        "the file is not UTF-8 ({guess}): re-save it as UTF-8 "
        "(e.g. `iconv -f {encoding} -t UTF-8`, or 'UTF-8' in the editor's Save As)",
    ),
    "source.guess_utf16": ("UTF-16", "UTF-16"),
    "source.guess_sjis": ("Shift_JIS(CP932)または EUC-JP と思われます", "Shift_JIS (CP932) or EUC-JP, perhaps"),
    "source.binary": (
        "NUL バイトを含んでいます。テキストファイルではありません",
        "the file holds NUL bytes: it is not a text file",
    ),
    "source.conflict": (
        "git の衝突マーカーが残っています。マージを解決してマーカーを消してください",
        "git conflict marker: resolve the merge and remove the markers",
    ),
    "source.syntax": ("YAML として読めません: {what}", "cannot read as YAML: {what}"),
    "source.character": (
        "YAML として読めません: 文字 U+{code} は YAML では使えません({reason})",
        "cannot read as YAML: character U+{code}: {reason} in YAML",
    ),
    "source.control_characters": ("制御文字です", "control characters are not allowed"),
    # --- YAML syntax errors (yaml_syntax.py): the usual causes, then libyaml's own problems translated
    "yaml.fullwidth_colon": (
        "キー {key} の後が全角のコロンです。全角のコロン「：」は半角の「: 」にしてください",
        'a full-width colon "：" after the key {key}: write the colon as ASCII ": "',
    ),
    "yaml.fullwidth_space": (
        "全角スペースでインデントしています。インデントは半角スペースにしてください",
        "a full-width space (U+3000) in the indentation: indent with ASCII spaces",
    ),
    "yaml.tab": (
        "タブでインデントしています。YAML ではタブでインデントできません。半角スペースにしてください",
        "tabs are not allowed for indentation in YAML, use spaces",
    ),
    "yaml.no_space": (
        "キー {key} の「:」の後に空白がありません。「:」の後には半角スペースが必要です(「{key}: 値」)",
        'no space after the colon of {key}: a space is needed after the colon ("{key}: value")',
    ),
    "yaml.unclosed_quote": (
        "引用符 {quote} が閉じていません。値の終わりに {quote} を書いて引用符を閉じてください",
        "the quote {quote} is never closed: close the quote with {quote} at the end of the value",
    ),
    "yaml.unclosed_bracket": (
        "「{bracket}」が閉じていません。「{close}」で閉じてください",
        'the "{bracket}" is never closed: close it with "{close}"',
    ),
    "yaml.mapping_here": (
        "ここに「:」は書けません。値に「: 」を含めるときは値全体を引用符で囲んでください",
        'a ":" is not allowed here: put a value that contains ": " in quotes',
    ),
    "yaml.no_colon": ("キーの後に「:」が見つかりません", 'could not find the ":" after this key'),
    "yaml.bad_start": (
        "「{char}」で始まる値は書けません。値全体を引用符で囲んでください",
        'a value cannot start with "{char}": put the value in quotes',
    ),
    "yaml.escape": (
        "二重引用符の中の「\\」はエスケープになります。「\\」を含む値は単一引用符 ' で囲んでください",
        'inside double quotes a "\\" starts an escape: put a value that contains "\\" in single quotes',
    ),
    "yaml.sequence_here": (
        "ここに「- 」の項目は書けません。インデント(字下げ)を確かめてください",
        'a "- " item is not allowed here: check the indentation',
    ),
    "yaml.no_key": (
        "ここにはキーがあるはずです。インデント(字下げ)を確かめてください",
        "expected a key here: check the indentation",
    ),
    "yaml.after_quote": (
        "閉じた引用符の後に文字が続いています。値全体を引用符で囲んでください",
        "text after the closing quote: put the whole value in quotes",
    ),
    "yaml.no_dash": (
        "ここには「- 」で始まる項目があるはずです。インデント(字下げ)を確かめてください",
        'expected a "- " item here: check the indentation',
    ),
    "yaml.flow": ("ここには「,」か「{close}」があるはずです", 'expected "," or "{close}" here'),
    "yaml.no_value": ("ここに値があるはずです", "expected a value here"),
    "yaml.colon_in_flow": (
        "[ ] や { } の中の値に「:」を含めるときは値を引用符で囲んでください",
        'a value inside [ ] or { } that contains ":" must be in quotes',
    ),
    "yaml.document_end": (
        "ここで YAML 文書が終わっているはずです。余分な行や括弧がないか確かめてください",
        "the YAML document should have ended here: look for an extra line or bracket",
    ),
    "yaml.end": ("ファイルが途中で終わっています", "the file ends too early"),
    "source.empty": ("ファイルにデータがありません", "the file holds no data"),
    "source.tag": (
        "タグ {tag} は使えません。値をそのまま書いてください",
        "the tag {tag} is not allowed: write plain values",
    ),
    "source.bad_scalar": ("{value} は正しい {kind} ではありません", "{value} is not a valid {kind}"),
    "source.alias": (
        "エイリアス *{name}: アンカーとエイリアスは使えません。値をそのまま書いてください",
        "alias *{name}: anchors and aliases are not allowed; write the value out",
    ),
    "source.anchor": (
        "アンカー &{name}: アンカーとエイリアスは使えません。値をそのまま書いてください",
        "anchor &{name}: anchors and aliases are not allowed; write the value out",
    ),
    "source.too_deep": (
        "入れ子が {depth} 段を超えています。ロードマップには不要な深さです",
        "nesting deeper than {depth} levels: no roadmap needs this",
    ),
    "source.second_document": (
        "二つ目の YAML 文書(---)があります。1ファイルに1事業です",
        "a second YAML document (---): one roadmap per file",
    ),
    "source.complex_key": (
        "マッピングのキーは文字列にしてください(リストやマッピングは不可)",
        "a mapping key must be plain text, not a list or mapping",
    ),
    "source.duplicate_key": (
        "キー {key} が重複しています({line} 行目が先)",
        "duplicate key {key} (first at line {line})",
    ),
    "source.not_mapping": (
        "最上位が{kind}です。ロードマップはキーのマッピングです",
        "the top level is {kind}: a roadmap is a mapping of keys",
    ),
    "source.kind_list": ("リスト", "a list"),
    "source.kind_scalar": ("単一の値", "a single value"),
    # --- the roadmaps directory
    "store.no_dir": ("{path}: そのようなディレクトリはありません", "{path}: no such directory"),
    "store.no_env_dir": (
        "DXROADMAP_DIR={path}: そのようなディレクトリはありません",
        "DXROADMAP_DIR={path}: no such directory",
    ),
    "store.no_roadmaps": (
        "{here} とその親に roadmaps/ ディレクトリがありません。--dir を指定するか DXROADMAP_DIR を設定してください",
        "no roadmaps/ directory in {here} or its parents: give --dir or set DXROADMAP_DIR",
    ),
    "store.unreadable": ("読み込めません: {reason}", "cannot read: {reason}"),
    "store.not_regular": ("通常のファイルではありません", "not a regular file"),
    "store.link": ("リンクをたどれません: {reason}", "cannot follow the link: {reason}"),
    "store.outside": (
        "ロードマップのディレクトリ {base} の外({real})へのリンクです。読み込みません",
        "a link to {real}, outside the roadmaps directory {base}: not read",
    ),
    "store.duplicate_id": ("事業ID {id} は {other} と重複しています", "project id {id} is also given by {other}"),
    "store.not_written_outside": (
        "{path} はロードマップのディレクトリ {base} の外を指しています。書き込みません",
        "{path} leads outside the roadmaps directory {base}: not written",
    ),
    "store.invalid_project": ("{query}: ファイルが不正です: {problem}", "{query}: the file is invalid: {problem}"),
    "store.ambiguous": (
        "{query} に該当する事業が {count} 件あります: {listed}",
        "{query} matches {count} projects: {listed}",
    ),
    "store.no_match": ("{query} に該当する事業がありません{more}", "no project matches {query}{more}"),
    "store.projects_are": ("。事業: {listed}", "; projects: {listed}"),
    "store.no_valid": ("(正しい事業ファイルがありません)", " (no valid projects)"),
    "store.and_more": (" ほか {count} 件", " and {count} more"),
    "store.lock_file": (
        "{path}: ロックファイルを作れません: {reason}",
        "{path}: cannot create the lock file: {reason}",
    ),
    "store.locked": (
        "{path} は別の dxroadmap が書き込み中です。{timeout} 秒以内にロック {lock} を取得できませんでした。"
        "何も書き込んでいません。もう一度試してください",
        "{path} is being written by another dxroadmap: could not get its lock {lock} within {timeout} s; "
        "nothing was written, try again",
    ),
    "store.exists": ("{path} は既にあります。上書きしません", "{path} exists already: not overwritten"),
    "store.cannot_write": (
        "{path}: 書き込めません({reason})。ファイルは変更されていません",
        "{path}: cannot write ({reason}); the file is unchanged",
    ),
    "store.cannot_write_stream": ("{path}: 書き込めません({reason})", "{path}: cannot write ({reason})"),
    "store.output_refused": (
        "{path} は{kind}です。書き込みません(ファイル名、FIFO、キャラクタデバイス、または - を指定してください)",
        "{path} is {kind}: not written (give a file name, a FIFO, a character device or -)",
    ),
    "store.kind_directory": ("フォルダ", "a folder"),
    "store.kind_socket": ("ソケット", "a socket"),
    "store.kind_block": ("ブロックデバイス", "a block device"),
    "store.kind_special": ("特殊ファイル", "a special file"),
    "store.plan_invalid": (
        "計画ファイル {path} に問題が {count} 件あります。計画の設定を使うコマンドは実行せず、何も書き込んでいません。"
        "先に直してください:",
        "the plan {path} has {count} problem(s): nothing was done, since this command depends on its "
        "settings. Fix it first:",
    ),
    # --- record
    "record.give_initiative": (
        "-i/--initiative で取組を指定してください(名称、その一部、または番号): {listing}",
        "give -i/--initiative (a name, part of one, or a number): {listing}",
    ),
    "record.no_initiative_number": (
        "{number} 番目の取組はありません: {listing}",
        "no initiative number {number}: {listing}",
    ),
    "record.no_initiative": (
        "{query} に該当する取組がありません: {listing}",
        "no initiative matches {query}: {listing}",
    ),
    "record.ambiguous_initiative": (
        "{query} に該当する取組が {count} 件あります: {listing}",
        "{query} matches {count} initiatives: {listing}",
    ),
    "record.nothing": (
        "記録する内容がありません: --done、--note、--kpi のいずれかを指定してください(--reason と --outlook はそれらと一緒に)",
        "nothing to record: give --done, --note or --kpi (--reason and --outlook go with one of them)",
    ),
    "record.not_open": (
        "{name} は {initiative} の {year} 以前の未達成の目標ではありません。未達成の目標: {listing}",
        "{name} is no open target of {initiative} in {year} or before; open targets: {listing}",
    ),
    "record.none": ("なし", "none"),
    "record.duplicate": (
        "{period} に同じ実績がすでにあります: {entry}(重ねて記録するには --force)",
        "the same actual is already recorded for {period}: {entry} (add it again with --force)",
    ),
    "record.kpi_twice": (
        "指標 {kpi} の {period} の値はすでに記録されています(直すときはファイルを編集、重ねて記録するには --force)",
        "a value of {kpi} is already recorded for {period} (edit the file to correct it, or add another with --force)",
    ),
    "record.monitored": (
        "{name} は {initiative} の指標ではありません。モニタリング指標として記録します",
        "{name} is no KPI of {initiative}: recorded as a monitored indicator",
    ),
    "record.fix_first": ("{problem}(先にファイルを直してください)", "{problem} (fix the file first)"),
    "record.cannot": ("{path}: 記録できません: {reason}", "{path}: cannot record: {reason}"),
    "record.would_be_invalid": (
        "記録するとファイルが不正になるため、何も書き込んでいません: {problem}",
        "the record would make the file invalid, so nothing was written: {problem}",
    ),
    "record.changes_more": (
        "この位置に追記するとファイルの内容が変わってしまいます(例: 末尾に改行のないファイルの最後のブロックスカラー `|`)。"
        "何も書き込んでいません",
        "the entry cannot be added here without changing what the file says (a block scalar `|` at the "
        "very end of a file with no final newline, say); nothing was written",
    ),
    "edit.nothing": ("記録する内容がありません", "nothing to record"),
    "edit.flow_initiative": (
        "取組がフロー形式({…})で書かれています。記録するにはブロック形式で書いてください",
        "the initiative is written in flow style ({…}); write it in block style to record into it",
    ),
    "edit.explicit_empty": (
        "実績 に空の値が明示されています。記録するには `実績:` だけにしてください",
        "実績 holds an explicit empty value; write `実績:` alone to record into it",
    ),
    "edit.not_years": ("実績 が年度のマッピングではありません", "実績 is not a mapping of years"),
    "edit.flow_mapping_year": (
        "その年度がリストではなくフロー形式のマッピングです",
        "the year holds a flow mapping, not a list of actuals",
    ),
    "edit.year_neither": (
        "その年度の実績がリストでも空でもありません",
        "the year's actuals are neither a list nor empty",
    ),
    # --- git
    "git.missing": ("git がインストールされていません", "git is not installed"),
    "git.failed": ("git {command}: {message}", "git {command}: {message}"),
    "git.not_repo_commit": (
        "{path}: git リポジトリの中にないため --commit でコミットできません",
        "{path}: not inside a git repository, so --commit cannot commit it",
    ),
    "git.dirty": (
        "{path} には既にコミットされていない変更があります。先にコミットするか破棄してください(何も書き込んでいません)",
        "{path} has uncommitted changes already; commit or discard them first (nothing was written)",
    ),
    "git.not_repo": (
        "{path} は git リポジトリの中にありません。レビューの記録は git の履歴です",
        "{path} is not inside a git repository: the review log is git's history",
    ),
    "git.shallow": (
        "浅いクローン(shallow clone)のため履歴が途中で切れています(`git fetch --unshallow` を実行してください)",
        "this is a shallow clone: its history is cut off (run `git fetch --unshallow`)",
    ),
    "git.no_commits": ("リポジトリにまだコミットがありません", "the repository has no commits yet"),
    # --- history
    "history.bad_date": ("{when}: 正しい日付ではありません", "{when}: not a valid date"),
    "history.no_meeting": ("{date} より前の会議が _plan.yaml にありません", "no meeting of _plan.yaml before {date}"),
    "history.no_meetings": ("_plan.yaml に会議がありません", "none in _plan.yaml"),
    "history.unknown_when": (
        "{when}: 日付(YYYY-MM-DD、令和8年11月15日、R8.11.15 など)、last-meeting、会議名({meetings})、git のリビジョンのいずれでもありません",
        "{when}: not a date (YYYY-MM-DD, 令和8年11月15日, R8.11.15, …), last-meeting, a meeting ({meetings}) or a git revision",
    ),
    "history.invalid_version": (
        "{path}:{problem}(コミット {commit} の版。飛ばします)",
        "{path}:{problem} (in commit {commit}; skipped)",
    ),
    # --- new
    "new.bad_id": (
        "{id} は事業IDとして使えません。sangyo/smart-nogyo のような相対パスにしてください(.. や先頭の _ . 、空白は不可)",
        "{id} is not a project id: use a relative path such as sangyo/smart-nogyo (no .., no leading _ or ., no spaces)",
    ),
    "new.bad_range": ("{value}: R6-R9 のように範囲を書いてください", "{value}: write a range such as R6-R9"),
    "new.backwards": ("{value}: 範囲の終わりが始まりより前です", "{value}: the range ends before it starts"),
    "new.give": ("{option} を指定してください({label})", "give {option} ({label})"),
    "new.unknown_field": (
        "政策分野 {field} は計画にありません。政策分野: {fields}",
        "no field {field} in the plan; fields: {fields}",
    ),
    "new.invalid": ("新しいファイルが不正になります: {problem}", "the new file would be invalid: {problem}"),
    "new.wrote": ("{path} を作成しました", "wrote {path}"),
    "new.first_initiative": ("最初の取組の名称", "The first initiative's name"),
    # --- the command line
    "cli.internal": (
        "内部エラー: {kind}: {message}(トレースバックを {path} に保存しました)",
        "internal error: {kind}: {message} (traceback saved in {path})",
    ),
    "cli.internal_unsaved": (
        "内部エラー: {kind}: {message}(トレースバックを保存できません: {reason})",
        "internal error: {kind}: {message} (traceback not saved: {reason})",
    ),
    "cli.interrupted": ("中断しました", "interrupted"),
    "cli.stdout_closed": ("標準出力が閉じています", "standard output is closed"),
    "cli.stdout_failed": ("標準出力に書き込めません: {reason}", "cannot write to standard output: {reason}"),
    "cli.no_field": ("政策分野 {field} はありません。政策分野: {fields}", "no field {field}; fields: {fields}"),
    "cli.give_project": ("事業(ID またはその一部)を指定してください", "give PROJECT (a project id, or part of one)"),
    "cli.nothing_written": ("何も書き込んでいません", "nothing written"),
    "cli.warning": ("警告: {message}", "warning: {message}"),
    "cli.committed": ("{commit} をコミットしました: {message}", "committed {commit} {message}"),
    "cli.wrote_export": ("{path} を作成しました({format}、{count} 事業)", "wrote {path} ({format}, {count} projects)"),
    "cli.wrote": ("{path} を作成しました", "wrote {path}"),
    "cli.date_outside": ("{date} は {year}({span})に含まれません", "{date} is not in {year} ({span})"),
    "cli.quarter_and_half": (
        "--quarter と --half はどちらか一方だけ指定してください",
        "give --quarter or --half, not both",
    ),
    "cli.future_period": (
        "{period} はまだ始まっていません({start} から。基準日 {as_of})",
        "{period} has not started yet (it starts on {start}; as of {as_of})",
    ),
    "cli.unfinished_period": (
        "{period} はまだ終わっていません({end} まで): 期間中の実績には --date で日付を付けてください",
        "{period} is not over yet (it ends on {end}): give --date for what happened so far",
    ),
    "cli.future_date": ("{date} はまだ来ていません(基準日 {as_of})", "{date} has not come yet (as of {as_of})"),
    "cli.rating": (
        "評価 {rating} は計画の評価区分にありません(使える記号: {symbols})",
        "評価 {rating} is not in the plan's 評価区分 (use one of {symbols})",
    ),
    "cli.nul_path": ("パスに NUL 文字は使えません", "a path cannot hold a NUL character"),
    "cli.at_least_one": (
        "1 以上の数にしてください({value} は使えません)",
        "give a whole number of at least 1 (not {value})",
    ),
    "cli.as_of_range": ("{low} から {high} までの日付にしてください", "give a date from {low} to {high}"),
    "cli.outlook": ("順調、注意、困難 のいずれか", "順調, 注意 or 困難"),
    "cli.kpi": (
        "{item}: 名前=数値 の形で書いてください(例: 導入市町村数=7)",
        "{item}: write NAME=VALUE with a number, e.g. 導入市町村数=7",
    ),
    "cli.format_unknown": (
        "--format xlsx|csv|json|markdown|html|site を指定してください(ファイルの拡張子から判断できません)",
        "give --format xlsx|csv|json|markdown|html|site (the file's extension does not say)",
    ),
    "cli.xlsx_stdout": ("xlsx はバイナリです。ファイルに書き出してください", "xlsx is binary: write it to a file"),
    "prompt.project": ("事業", "Project"),
    "prompt.initiative": ("取組", "Initiative"),
    "prompt.targets": ("達成した目標(例: 1,3)", "Targets achieved (e.g. 1,3)"),
    "prompt.note": ("内容", "Note (内容)"),
    "prompt.confirm": ("この内容で記録しますか? [Y/n]", "Record this? [Y/n]"),
    "prompt.yes_no": ("y(はい)か n(いいえ)で答えてください", "answer y (yes) or n (no)"),
    "prompt.range": (
        "1–{count} の番号か、名前(またはその一部)で答えてください",
        "give a number from 1 to {count}, or a name (or part of one)",
    ),
    "prompt.numbers": (
        "1 から {count} までの番号か名前を、「,」で区切って答えてください(例: 1,3)",
        "give numbers from 1 to {count} or names, separated by commas, e.g. 1,3",
    ),
    "prompt.ambiguous": (
        "「{answer}」に当てはまるものが{count}件あります: {listing}。番号か、もっと長い名前で答えてください",
        "{answer} matches {count} of them: {listing}; give the number, or more of the name",
    ),
    "prompt.unknown": (
        "「{answer}」に当てはまるものはありません。選べるもの: {listing}",
        "nothing matches {answer}; choose one of: {listing}",
    ),
    "prompt.kpis": ("指標の値(空欄なら記録しません)", "KPI values (leave empty to skip)"),
    "prompt.kpi": ("{kpi} (目標 {target})", "{kpi} (target {target})"),
    "prompt.not_number": (
        "「{answer}」は数値として読めません。52、1,234、1.5 のように数値で答えてください",
        "{answer} is not a number: answer with a number such as 52, 1,234 or 1.5",
    ),
    "prompt.late": ("この取組は遅れています: {items}", "This initiative is late: {items}"),
    "prompt.unreported": ("{period} 未報告", "{period} unreported"),
    "prompt.reason": ("理由(遅れの理由と対応)", "Reason (理由: why it is late, and what is being done)"),
    "prompt.reason_required": (
        "遅れている取組の実績には理由が必要です。遅れの理由と今後の対応を書いてください",
        "a late initiative's actual needs a reason: say why it is late and what is being done",
    ),
    "prompt.outlook": ("見通し(空欄なら記録しません)", "Outlook (見通し; leave empty to skip)"),
    "prompt.rating": ("評価(空欄なら記録しません)", "Rating (評価; leave empty to skip)"),
    # --- forms and import (issue 15): report forms out in Excel, answers back in
    "period.unreadable": (
        "{value} は報告期間として読めません(R8Q3、R8H1、R8、2026Q3、令和8年度第3四半期 のように書いてください)",
        "{value} is not a report period (write R8Q3, R8H1, R8, 2026Q3 or 令和8年度第3四半期)",
    ),
    "form.future_period": (
        "{period} はまだ始まっていません({start} から。基準日 {as_of})。様式は作りません",
        "{period} has not started yet (it starts on {start}; as of {as_of}): no forms made",
    ),
    "form.no_field": ("政策分野 {field} はありません。政策分野: {fields}", "no field {field}; fields: {fields}"),
    "form.nothing": (
        "{period} に回答を求める取組がありません(対象の担当課・分野を確かめてください)。様式は作りません",
        "nothing to answer for {period} (check the owner and field given): no forms made",
    ),
    "form.left_out": ("様式に含めません: {problem}", "left out of the forms: {problem}"),
    "form.wrote": (
        "{path} を作成しました({owner}、{period}、取組 {initiatives} 件・目標 {targets} 件、提出期限 {deadline})",
        "wrote {path} ({owner}, {period}: {initiatives} initiative(s), {targets} target(s); due back {deadline})",
    ),
    "form.sheet": ("報告", "Report"),
    "form.howto_sheet": ("記入方法", "How to fill in"),
    "form.col.no": ("No.", "No."),
    "form.col.name": ("事業名", "Project"),
    "form.col.initiative": ("取組", "Initiative"),
    "form.col.target": ("目標", "Target"),
    "form.col.year": ("年度", "Year"),
    "form.col.due": ("期限", "Due"),
    "form.col.state": ("状態", "State"),
    "form.col.target_value": ("目標値", "Target value"),
    "form.col.baseline": ("基準値", "Baseline"),
    "form.col.last_value": ("直近値", "Last value"),
    "form.col.done": ("達成", "Done"),
    "form.col.value": ("値", "Value"),
    "form.col.unit": ("単位", "Unit"),
    "form.col.text": ("実施内容", "What was done"),
    "form.col.date": ("日付", "Date"),
    "form.col.reason": ("理由", "Reason"),
    "form.col.outlook": ("見通し", "Outlook"),
    "form.col.rating": ("評価", "Rating"),
    "form.col.ids": ("識別情報(変更しないでください) {key}", "identification (do not change) {key}"),
    "form.whole_initiative": ("(取組全体)", "(the initiative as a whole)"),
    "form.title": (
        "{plan} 実績報告 {period}({start}〜{end})",
        "{plan}: report of actuals, {period} ({start} to {end})",
    ),
    "form.subtitle": (
        "担当課: {owner} 提出期限: {deadline} 状態は {as_of} 時点",
        "Owner: {owner}   Due back: {deadline}   States as of {as_of}",
    ),
    "form.list_error": ("一覧から選んでください", "Choose a value from the list."),
    "form.number_error": ("数値を入力してください", "Enter a number."),
    "form.date_error": ("{start}〜{end} の日付を入力してください", "Enter a date from {start} to {end}."),
    "form.text_error": ("{limit} 文字以内で書いてください", "Write at most {limit} characters."),
    "form.reason_title": ("理由が必要です", "Reason required"),
    "form.reason_prompt": (
        "期限を過ぎています。達成していなければ、遅れの理由と今後の対応を書いてください",
        "This is past its due date: unless it was achieved, say why it is late and what is being done.",
    ),
    "form.howto.title": ("{plan} 実績報告のお願い({period})", "{plan}: please report your actuals for {period}"),
    "form.howto.to": ("宛先: {owner}", "To: {owner}"),
    "form.howto.period": ("報告対象期間: {period}({start}〜{end})", "Period: {period} ({start} to {end})"),
    "form.howto.deadline": (
        "提出期限: {deadline}(報告期間の終了後 {days} 日)",
        "Please send it back by {deadline} ({days} days after the period ends).",
    ),
    "form.howto.contact": ("問い合わせ先: {contact}", "Questions: {contact}"),
    "form.howto.no_contact": (
        "問い合わせ先: この照会の送付元(DX推進の担当)",
        "Questions: the sender of this form (the DX promotion section).",
    ),
    "form.howto.as_of": ("シートの「状態」は {as_of} 時点の判定です", "The states on the sheet are as of {as_of}."),
    "form.howto.heading": ("記入のしかた", "How to fill it in"),
    "form.howto.rows": (
        "シート「{sheet}」には、事業の取組ごとに太字の取組の行(取組全体)があり、その下に今回答えていただく目標の行があります。"
        "色の付いたセルだけに記入してください。",
        "The sheet {sheet} has a bold row for each initiative (the initiative as a whole), and under it a row for "
        "each target to answer for. Fill in the coloured cells only.",
    ),
    "form.howto.done": (
        "達成: 報告期間の末までに達成した目標の行で {mark} を選んでください(達成していなければ空欄)。",
        "Done: choose {mark} on the row of each target achieved by the end of the period (leave it empty otherwise).",
    ),
    "form.howto.value": (
        "値: 指標の行に、報告期間の末の値を数値で入力してください(単位は右の列のとおり)。",
        "Value: on a KPI's row, enter its value at the end of the period as a number (in the unit beside it).",
    ),
    "form.howto.text": (
        "実施内容: 報告期間に実施したことを書いてください。取組の行にも目標の行にも書けます(取組ごとに1件の実績にまとめます)。",
        "What was done: write what was done in the period, on the initiative's row or a target's row (each "
        "initiative's answers become one actual).",
    ),
    "form.howto.date": (
        "日付: 取組の行に、実施した日を報告期間内の日付で入力してください(空欄なら報告期間の末日の扱いです)。",
        "Date: on the initiative's row, the date it happened, within the period (empty: the period's last day).",
    ),
    "form.howto.reason": (
        "理由: 濃い色で太枠の欄は期限を過ぎた目標です。達成していなければ、遅れの理由と今後の対応を必ず書いてください"
        "(取組の行にまとめて書いてもかまいません)。",
        "Reason: the dark cells with a thick border are targets past their due date. Unless one was achieved, say "
        "why it is late and what is being done (on its row, or once on the initiative's row).",
    ),
    "form.howto.outlook": (
        "見通し: 取組の行で 順調・注意・困難 から選んでください。",
        "Outlook: on the initiative's row, choose 順調 (on track), 注意 (at risk) or 困難 (off track).",
    ),
    "form.howto.rating": (
        "評価: 取組の行で、評価区分から選んでください: {ratings}",
        "Rating: on the initiative's row, choose a grade of the plan's scale: {ratings}",
    ),
    "form.howto.blank": (
        "答えることのない行は空欄のままでかまいません。",
        "Leave a row empty if there is nothing to say.",
    ),
    "form.howto.protect": (
        "シート「{sheet}」は保護されています(パスワードなし)。色の付いたセル以外は変更できませんが、列幅の変更、並べ替え、"
        "絞り込みはできます。非表示の列と行は回答を取り込むための識別情報です。消したり変えたりしないでください。",
        "The sheet {sheet} is protected, without a password: only the coloured cells can be changed, but columns "
        "can be widened and rows sorted and filtered. The hidden columns and rows identify the answers for the "
        "import: do not delete or change them.",
    ),
    "form.howto.return": (
        "記入したら、このファイルを .xlsx のまま返送してください(マクロ付きの .xlsm、パスワード付きのファイルは受け付けません)。"
        "CSV で返すときは、シート「{sheet}」を非表示の列も含めて「CSV UTF-8(コンマ区切り)」で保存してください。",
        "Send this file back as .xlsx (a macro-enabled .xlsm or a password-protected file cannot be taken). To "
        "answer in CSV, save the sheet {sheet}, hidden columns included, as CSV UTF-8.",
    ),
    "form.howto.legend": ("状態: {legend}", "States: {legend}"),
    # import: each problem is `workbook!sheet!cell: message`
    "import.no_files": ("取り込むファイルを指定してください", "give the workbooks to import"),
    "import.unknown_kind": (
        "{suffix} のファイルは取り込めません。.xlsx または .csv を指定してください",
        "cannot import a {suffix} file: give an .xlsx or a .csv",
    ),
    "import.macro": (
        "マクロ付きのブック(.xlsm など)は受け付けません。.xlsx で保存し直してください",
        "a macro-enabled workbook (.xlsm, …) is refused: save it as .xlsx",
    ),
    "import.encrypted": (
        "パスワード付き(暗号化)または古い形式(.xls)のファイルです。パスワードなしの .xlsx で保存し直してください",
        "an encrypted (password-protected) or old-format (.xls) file: save it as .xlsx without a password",
    ),
    "import.not_xlsx": ("xlsx として読めません: {reason}", "cannot read it as xlsx: {reason}"),
    "import.too_large": (
        "ファイルが大きすぎます({size} バイト、上限 {limit} バイト)",
        "the file is too large ({size} bytes; the limit is {limit})",
    ),
    "import.zip_bomb": (
        "展開すると大きすぎます({name}: 上限 {limit} バイト)。様式のブックではありません",
        "it expands to too much ({name}: the limit is {limit} bytes): not a form",
    ),
    "import.too_many_entries": (
        "xlsx(zip)の中の部品が多すぎます({count} 個、上限 {limit})",
        "too many parts inside the xlsx (zip): {count}, the limit is {limit}",
    ),
    "import.doctype": (
        "{name} に DOCTYPE 宣言があります。xlsx には不要なもので、受け付けません",
        "{name} holds a DOCTYPE declaration, which no xlsx needs: refused",
    ),
    "import.csv_not_utf8": (
        "CSV が UTF-8 ではありません。Excel では「CSV UTF-8(コンマ区切り)」で保存してください",
        "the CSV is not UTF-8: in Excel, save it as CSV UTF-8 (comma delimited)",
    ),
    "import.not_a_form": (
        "dxroadmap の様式(識別情報のあるシート)が見つかりません",
        "no dxroadmap form in it (no sheet with the form's identification)",
    ),
    "import.two_forms": (
        "様式のシートが {count} 枚あります({sheets})。1枚にしてください",
        "{count} sheets are forms ({sheets}): keep one",
    ),
    "import.newer_form": (
        "この様式({found})はこの dxroadmap より新しい版で作られています。dxroadmap を更新してください",
        "this form ({found}) was made by a newer dxroadmap: update dxroadmap",
    ),
    "import.bad_id": (
        "この行の識別情報が壊れています({key}: {value})。様式の非表示の列を変えないでください",
        "this row's identification is damaged ({key}: {value}); do not change the form's hidden columns",
    ),
    "import.other_plan": (
        "別の計画の様式です(様式: {form}、この計画: {plan})",
        "a form of another plan (the form's: {form}; this plan: {plan})",
    ),
    "import.other_period": (
        "{form} の様式です({period} の回答を取り込んでいます)",
        "a form for {form} (the answers being imported are for {period})",
    ),
    "import.mixed_period": (
        "この行は {row} の様式の行です(この様式は {form})",
        "this row comes from a form for {row} (this form is for {form})",
    ),
    "import.future_period": (
        "{period} はまだ始まっていません({start} から。基準日 {as_of})",
        "{period} has not started yet (it starts on {start}; as of {as_of})",
    ),
    "import.formula_cached": (
        "数式は計算しません。保存されている値 {value} を使います",
        "formulas are not evaluated: its saved value {value} is used",
    ),
    "import.formula_no_value": (
        "数式のセルに保存された値がありません。数式ではなく値を入力してください",
        "a formula with no saved value: type the value, not a formula",
    ),
    "import.not_form_row": (
        "様式の行ではありません(識別情報がありません)。取り込みません",
        "not a row of the form (it has no identification): not imported",
    ),
    "import.not_number": ("{value} は数値として読めません", "{value} is not a number"),
    "import.not_date": (
        "{value} は日付として読めません(2026/10/15、令和8年10月15日 のように書いてください)",
        "{value} is not a date (write 2026/10/15 or 令和8年10月15日, say)",
    ),
    "import.date_outside": (
        "{date} は報告期間 {period}({start}〜{end})の外です",
        "{date} is outside the period {period} ({start} to {end})",
    ),
    "import.future_date": ("{date} はまだ来ていません(基準日 {as_of})", "{date} has not come yet (as of {as_of})"),
    "import.needs_date": (
        "{period} はまだ終わっていません({end} まで)。この取組の 日付 を書いてください",
        "{period} is not over yet (it ends on {end}): give this initiative's 日付 (date)",
    ),
    "import.not_in_list": (
        "{value} は選択肢にありません(選べるもの: {choices})",
        "{value} is not in the list (choose one of {choices})",
    ),
    "import.blank_or_mark": ("{mark} または空欄", "{mark} or empty"),
    "import.not_here": ("この行の {column} には記入できません", "nothing goes into {column} on this row"),
    "import.too_long": ("{limit} 文字を超えています", "longer than {limit} characters"),
    "import.reason_missing": (
        "{target} は {period} の末に{state}です。達成していなければ 理由(遅れの理由と対応)を書いてください",
        "{target} was {state} at the end of {period}: unless it was achieved, give 理由 (why it is late, what is done)",
    ),
    "import.needs_text": (
        "理由・見通し・評価だけでは記録できません。実施内容 を書いてください(実施がなければ「実施なし」など)",
        "理由, 見通し or 評価 alone cannot be recorded: give 実施内容 too (write 実施なし if nothing was done)",
    ),
    "import.two_values": (
        "{column} が同じ取組の {other} と食い違っています({value} と {other_value})",
        "{column} disagrees with {other} of the same initiative ({value} and {other_value})",
    ),
    "import.contradicts": (
        "{period} には {what} として {recorded} が記録済みです({value} と食い違います。重ねて記録するには --force)",
        "{what} is already recorded as {recorded} for {period}, not {value} (record it anyway with --force)",
    ),
    "import.project_gone": ("事業 {project} はもうありません", "the project {project} no longer exists"),
    "import.project_invalid": (
        "事業 {project} のファイルに問題があります。先に直してください: {problem}",
        "the file of the project {project} has a problem; fix it first: {problem}",
    ),
    "import.initiative_gone": (
        "事業 {project} に取組 {initiative} はもうありません",
        "the project {project} no longer has the initiative {initiative}",
    ),
    "import.target_gone": (
        "取組 {initiative} に {year} の目標 {target} はもうありません",
        "the initiative {initiative} no longer has the target {target} in {year}",
    ),
    "import.changed_since_form": (
        "事業 {project} のファイルは様式の作成後に変更されています。行は識別情報と文言で照合します",
        "the file of the project {project} changed after the form was made: its rows are matched by ids and texts",
    ),
    "import.stale_row": (
        "この行はロードマップの現在の内容と一致しません(回答がないので飛ばします): {reason}",
        "this row no longer matches the roadmap (it holds no answer, so it is skipped): {reason}",
    ),
    "import.already_achieved": (
        "{target} は既に達成として記録されています({period}): ✔ は記録しません",
        "{target} is already recorded as achieved ({period}): the ✔ is not recorded again",
    ),
    "import.unanswered": ("回答なし: {project} / {initiative}", "no answer: {project} / {initiative}"),
    "import.cannot": ("{project}: {problem}", "{project}: {problem}"),
    "import.changed_meanwhile": (
        "{path} が確認の後に変更されました。何も書き込んでいません。もう一度実行してください",
        "{path} changed after it was checked: nothing was written; run it again",
    ),
    "import.no_answers": (
        "{workbook}: {owner} {period} の回答はありません(記入された欄がありません)。何も追加しません",
        "{workbook}: no answers from {owner} for {period} (no input cell is filled in); nothing added",
    ),
    "import.nothing_new": (
        "{workbook}: {owner} {period} の回答はすべて記録済みです。何も追加しません",
        "{workbook}: the answers of {owner} for {period} are all recorded already; nothing added",
    ),
    "import.recorded": (
        "{workbook}: {owner} {period} — 取組 {count} 件の実績を {files} 件のファイルに記録しました",
        "{workbook}: {owner} {period}: recorded the actuals of {count} initiative(s) in {files} file(s)",
    ),
    "import.would_record": (
        "{workbook}: {owner} {period} — 取組 {count} 件の実績を {files} 件のファイルに記録します(--dry-run: 書き込みません)",
        "{workbook}: {owner} {period}: would record the actuals of {count} initiative(s) in {files} file(s) "
        "(--dry-run: nothing written)",
    ),
    "import.already": ("  記録済み(追加なし): {initiatives}", "  recorded already (nothing added): {initiatives}"),
    "import.project": ("  {project} ({path}): {initiatives}", "  {project} ({path}): {initiatives}"),
    "import.problems": (
        "{count} 件の問題があるため、何も書き込んでいません",
        "{count} problem(s): nothing was written",
    ),
    # help texts for the two commands (`form`, `import`), for the command line to use
    "help.form": (
        "担当課ごとの実績報告の様式(Excel)を作成します: 取組と遅れている目標の行、記入方法、提出期限。",
        "Make the report forms (Excel) for the owner sections: a row per initiative and open target, how to fill "
        "it in, and by when.",
    ),
    "help.period": (
        "報告期間: R8Q3、R8H1、R8(年度)、2026Q3 など(既定: 報告頻度で直近に終わった期間)",
        "The report period: R8Q3, R8H1, R8 (the whole year), 2026Q3 … (default: the one just completed, by the "
        "plan's cadence).",
    ),
    "help.form_owner": (
        "担当課にこの文字列を含む事業の様式だけ",
        "Only the form of the owner sections whose name (担当課) contains this.",
    ),
    "help.form_output": (
        "様式を書き出すフォルダ(なければ作成)",
        "The folder to write the forms into (made if missing).",
    ),
    "help.contact": ("記入方法に書く問い合わせ先", "Whom to ask, as the sheet 記入方法 says."),
    "help.import": (
        "記入済みの様式(.xlsx または .csv)を検査して実績として記録します。問題があれば何も書き込みません。",
        "Check answered forms (.xlsx or .csv) cell by cell and record them as actuals; any problem, nothing written.",
    ),
    "help.import_files": ("記入済みの様式のファイル", "The answered forms."),
    "help.import_force": (
        "その期間に記録済みの値と食い違う回答も記録する",
        "Record answers that contradict a value already recorded for the period.",
    ),
    "help.import_commit": (
        "様式ごとに1コミットします(メッセージは `import: 担当課 期間`)",
        "Make one commit per workbook, with the message `import: OWNER PERIOD`.",
    ),
    "metavar.period": ("期間", "PERIOD"),
    # (end of the forms and import section)
    # --- help texts
    "help.app": (
        "DX推進計画のロードマップを YAML ファイルで管理し、検証・判定・報告します。",
        "Roadmaps of a DX promotion plan, kept as YAML files: validate, judge, report.",
    ),
    "help.dir": (
        "ロードマップのディレクトリ(既定: $DXROADMAP_DIR、またはここか親の roadmaps/)。"
        "status・slipping・validate・export では複数指定して集計できます",
        "The roadmaps directory (default: $DXROADMAP_DIR, else roadmaps/ here or above); "
        "status, slipping, validate and export take several, for a roll-up.",
    ),
    "help.as_of": (
        "この日付(2026-11-26、2026/11/26、令和8年11月26日、R8.11.26 など)時点で判定します(既定: 今日)",
        "Judge as of this date: 2026-11-26, 2026/11/26, 令和8年11月26日, R8.11.26 … (default: today).",
    ),
    "help.lang": (
        "出力の言語: ja または en(既定: ロケールから)",
        "Language of the output: ja or en (default: from the locale).",
    ),
    "help.no_color": ("端末でも色を付けません", "No colour, even on a terminal."),
    "help.format": ("出力形式: table、json、csv、markdown", "Output format: table, json, csv or markdown."),
    "help.field": ("この政策分野の事業だけ", "Only projects of this field (政策分野)."),
    "help.owner": ("担当課にこの文字列を含む事業だけ", "Only projects whose owner (担当課) contains this."),
    "help.version": ("バージョンを表示して終了します", "Print the version and exit."),
    "help.status": (
        "分野ごとの進捗表: 1事業1行で要注意の項目も表示。不正なファイルは表の下に表示します。",
        "Progress across the fields: one row per project, with flags; invalid files listed below.",
    ),
    "help.since": (
        "時点 以降の変化も表示(日付、git のリビジョン、会議名、last-meeting)",
        "Also what changed since WHEN: a date, a git revision, a meeting, or last-meeting.",
    ),
    "help.show": (
        "1事業のロードマップ表: 取組 × 年度、目標の行と実績の行。",
        "One project as the roadmap table: initiatives × years, a 目標 row and a 実績 row each.",
    ),
    "help.project": (
        "事業ID、または事業IDか事業名の一意な一部",
        "A project id, or a unique part of an id or a 事業名.",
    ),
    "help.slipping": (
        "遅延・未達の目標と未報告の取組を、悪い順に一覧します。",
        "Every slipping item, worst first: targets slipping or missed, initiatives unreported.",
    ),
    "help.exit_code": ("何か該当すれば終了コード 1(CI 用)", "Exit 1 when anything is flagged (for CI)."),
    "help.limit": ("表に出す件数(悪い順、1以上)", "How many items the table shows, worst first (at least 1)."),
    "cli.changed_meanwhile": (
        "{path} が書き出しの途中で変更されました。もう一度実行してください",
        "{path} changed while the export was being written: run it again",
    ),
    "cli.one_dir": (
        "このコマンドが扱うロードマップのフォルダは一つです(--dir は一度だけ)",
        "this command works in one roadmaps directory: give --dir once",
    ),
    "help.all": ("表にすべて出す", "Show every item in the table."),
    "help.status_limit": (
        "表に出す事業の数の上限(1以上。超えるときは状態の悪い順。合計はすべての事業)",
        "At most N project rows in the table (at least 1; the worst, when there are more; totals count all).",
    ),
    "help.validate": (
        "すべてのファイルを書式と規則で検査します。問題ごとに `path:line:col: CODE message` を1行。",
        "Check every file against the format and its rules: one `path:line:col: CODE message` per problem.",
    ),
    "help.paths": (
        "検査するファイルまたはフォルダ(既定: すべてのロードマップ)",
        "Files or folders to check (default: all roadmaps).",
    ),
    "help.schema": (
        "ロードマップと計画ファイル、JSON 出力の JSON Schema を表示(または schemas/ に書き出し)します。",
        "Print (or write into schemas/) the JSON Schemas of roadmap and plan files and of the JSON output.",
    ),
    "help.write": ("roadmaps/ の隣の schemas/ に書き出します", "Write the schemas into schemas/ beside roadmaps/."),
    "help.record": (
        "実績を1件追加します(実績 の下に追記し、ファイルの他のバイトはそのまま)。",
        "Add one actual to a roadmap (appended under 実績, every other byte of the file kept).",
    ),
    "help.initiative": ("取組: 名称、その一部、または番号", "Initiative: a name, part of one, or its number."),
    "help.year": ("年度(既定: 直近に終わった四半期の年度)", "Fiscal year (default: of the last completed quarter)."),
    "help.quarter": ("Q1–Q4(既定: 直近に終わった報告期間)", "Q1–Q4 (default: the last completed report period)."),
    "help.half": (
        "上期 または 下期(報告頻度が半期の計画では既定: 直近に終わった半期)",
        "上期 or 下期 (H1, H2; the default under a 半期 cadence: the last completed half).",
    ),
    "help.rating": (
        "担当課の自己評価: 計画の評価区分の記号",
        "The owner's self-evaluation: a symbol of the plan's 評価区分.",
    ),
    "help.force": (
        "同じ期間に同じ実績や同じ指標の値があっても記録する",
        "Record even if the same entry, or a value of the same KPI, is already there for the period.",
    ),
    "help.done": ("達成した目標(複数指定可)", "A target achieved (repeatable)."),
    "help.note": ("実施した内容(内容)", "What was done (内容)."),
    "help.kpi": (
        "指標の値 名前=数値(複数指定可、1件ずつ記録)",
        "A KPI value, NAME=VALUE (repeatable; one entry each).",
    ),
    "help.reason": ("遅れの理由と対応(理由)", "Why something is late, and what is done (理由)."),
    "help.outlook": ("担当課の見通し: 順調、注意、困難", "The owner's outlook: 順調, 注意 or 困難."),
    "help.date": (
        "実績の日付(日付。書き方は --as-of と同じ)",
        "The date of the actual (日付; written as for --as-of).",
    ),
    "help.dry_run": ("変更を差分で表示し、何も書き込みません", "Print the change as a diff; write nothing."),
    "help.commit": (
        "ファイルをコミットします(メッセージは `record: 事業ID 年度 期間`、例: `record: kurashi R8 Q2`)",
        "Commit the file, with the message `record: PROJECT YEAR PERIOD` (e.g. `record: kurashi R8 Q2`).",
    ),
    "help.new": (
        "コメント付きの新しいロードマップファイルを作成します(既存のファイルは上書きしません)。",
        "Write a new, commented roadmap file (never over an existing one).",
    ),
    "help.new_id": ("新しい事業ID(例: sangyo/smart-nogyo)", "The new project's id, e.g. sangyo/smart-nogyo."),
    "help.new_field": ("政策分野(計画の分野)", "政策分野 (a field of the plan)."),
    "help.new_name": ("事業名", "事業名."),
    "help.new_owner": ("担当課", "担当課."),
    "help.new_initiative": ("最初の取組の名称", "The first initiative's name."),
    "help.years": ("目標を置く年度(例: R6-R9)", "Fiscal years with targets, e.g. R6-R9."),
    "help.export": (
        "端末を使わない人のための全体の書き出し: Excel、CSV、JSON、Markdown、1枚の HTML、または公開用のサイト。",
        "The whole portfolio for people without a terminal: Excel, CSV, JSON, Markdown, one HTML page or a site to publish.",
    ),
    "help.output": (
        "書き出すファイル、標準出力なら -(テキスト形式)、site ならフォルダ",
        "The file to write, - for stdout (text formats), or the folder of a site.",
    ),
    "help.export_format": (
        "xlsx、csv、json、markdown、html、site(既定: ファイルの拡張子から)",
        "xlsx, csv, json, markdown, html or site (default: from the file's extension).",
    ),
    "help.no_bom": ("Excel 用の UTF-8 BOM を付けない CSV", "CSV without the UTF-8 BOM Excel needs."),
    "help.history": (
        "git によるレビューの記録: 誰がどの実績を記録し、どの目標が計画変更されたか。",
        "The review log from git: who recorded which actuals, and which targets were re-planned.",
    ),
    "help.history_project": (
        "この事業だけ(ID、または ID か事業名の一部)",
        "Only this project (an id, or part of an id or 事業名).",
    ),
    "help.history_since": (
        "時点 から(日付、git のリビジョン、会議名、last-meeting)",
        "From WHEN: a date, a git revision, a meeting, or last-meeting.",
    ),
    "help.until": ("時点 まで(--since と同じ形式)", "Up to WHEN (same forms as --since)."),
    "help.dir_one": (
        "ロードマップのフォルダ(既定: $DXROADMAP_DIR、またはここか親の roadmaps/)",
        "The roadmaps directory (default: $DXROADMAP_DIR, else roadmaps/ here or above).",
    ),
    "help.show_completion": (
        "シェル(bash、zsh、fish、powershell)の補完スクリプトを表示します(コピーや設定の調整に)",
        "Show the completion script of SHELL (bash, zsh, fish or powershell), to copy it or adjust the setup.",
    ),
    "help.install_completion": (
        "シェル(bash、zsh、fish、powershell)に補完を設定します",
        "Install completion for SHELL (bash, zsh, fish or powershell).",
    ),
    # --- the framework's own words in --help (Typer and its Click)
    "help.usage": ("使い方: ", "Usage: "),
    "help.options_metavar": ("[オプション]", "[OPTIONS]"),
    "help.command_metavar": ("コマンド [引数]...", "COMMAND [ARGS]..."),
    "help.options": ("オプション", "Options"),
    "help.arguments": ("引数", "Arguments"),
    "help.commands": ("コマンド", "Commands"),
    "help.default": ("既定: {default}", "default: {default}"),
    "help.required": ("必須", "required"),
    "help.help": ("このヘルプを表示して終了", "Show this message and exit."),
    # --- metavars: what an option's value is, in words
    "metavar.path": ("パス", "PATH"),
    "metavar.date": ("日付", "DATE"),
    "metavar.n": ("数", "N"),
    "metavar.text": ("文字列", "TEXT"),
    "metavar.when": ("時点", "WHEN"),
    "metavar.field": ("分野", "FIELD"),
    "metavar.year": ("年度", "YEAR"),
    "metavar.years": ("年度範囲", "YEARS"),
    "metavar.quarter": ("四半期", "QUARTER"),
    "metavar.half": ("半期", "HALF"),
    "metavar.format": ("形式", "FORMAT"),
    "metavar.file": ("ファイル", "FILE"),
    "metavar.project": ("事業", "PROJECT"),
    "metavar.project_id": ("事業ID", "PROJECT_ID"),
    "metavar.initiative": ("取組", "INITIATIVE"),
    "metavar.kpi": ("指標名=値", "NAME=VALUE"),
    "metavar.outlook": ("見通し", "OUTLOOK"),
    "metavar.rating": ("評価", "RATING"),
    "metavar.shell": ("シェル", "SHELL"),
    # --- review and publish (issue 16): `export --since`, KPI trends, `export --format site`
    "help.export_since": (
        "時点 以降の変更に印を付け「前回からの変更」に一覧します(日付、git のリビジョン、会議名、last-meeting)。"
        "site の既定は last-meeting",
        "Mark what changed since WHEN and list it under “Changes since the last review” (a date, a git revision, "
        "a meeting, or last-meeting); a site defaults to last-meeting.",
    ),
    "cli.since_format": (
        "--since は html、xlsx、markdown、json、site で使えます(csv は目標ごとの行だけです)",
        "--since works with html, xlsx, markdown, json and site (csv is one row per target, nothing more)",
    ),
    "cli.site_stdout": (
        "site はフォルダに書き出します: -o フォルダ を指定してください",
        "a site is written into a folder: give -o FOLDER",
    ),
    "cli.wrote_site": (
        "{path} にサイトを作成しました({files} ファイル、{count} 事業)",
        "wrote the site into {path} ({files} files, {count} projects)",
    ),
    "export.no_changes": (
        "前回からの変更は載せません: {reason}",
        "the site shows no changes since the last meeting: {reason}",
    ),
    "store.site_not_folder": (
        "{path} はフォルダではありません: サイトはフォルダに書き出します",
        "{path} is not a folder: a site is written into a folder",
    ),
    # (end of the review and publish section)
}
