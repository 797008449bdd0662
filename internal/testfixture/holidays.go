package testfixture

// Fictional2027 is a made-up 2027 holiday arrangement in the import format
// (internal/workday/data/YYYY.json), for tests of the import and of the
// deadlines it recomputes. It is NOT the State Council's notice, which was
// not published when this was written: it holds only the days
// 《全国年节及纪念日放假办法》 fixes by date (元旦, 劳动节 5月1日–2日, 国庆节
// 10月1日–3日) plus an invented 春节 and one invented 调休 Saturday, and its
// source says so. Never ship it as data.
var Fictional2027 = []byte(`{
  "year": 2027,
  "source": "测试用虚构安排（非国务院办公厅通知）",
  "holidays": [
    {"date":"2027-01-01","name":"元旦"},
    {"date":"2027-02-06","name":"春节"},
    {"date":"2027-02-07","name":"春节"},
    {"date":"2027-02-08","name":"春节"},
    {"date":"2027-02-09","name":"春节"},
    {"date":"2027-05-01","name":"劳动节"},
    {"date":"2027-05-02","name":"劳动节"},
    {"date":"2027-10-01","name":"国庆节"},
    {"date":"2027-10-02","name":"国庆节"},
    {"date":"2027-10-03","name":"国庆节"}
  ],
  "workdays": [
    {"date":"2027-02-20","name":"春节"}
  ]
}
`)
