package testfixture

import "fmt"

// WeldBatchRows are n filled rows of the 批量报名 workbook, cells by the
// workbook's column names, each a different fictional welder (a valid
// GB 11643 身份证号 of 普陀区, born on a different day, the 性别 its
// sequence says), the employer's columns left blank for the uploading
// 单位's own.
func WeldBatchRows(n int) []map[string]string {
	rows := make([]map[string]string, n)
	for i := range rows {
		sex, seq := "男", 11
		if i%2 == 1 {
			sex, seq = "女", 22
		}
		year, month, day := 1970+i/336%30, 1+i/28%12, 1+i%28
		first := fmt.Sprintf("310107%04d%02d%02d%03d", year, month, day, seq+i/10080*100)
		rows[i] = map[string]string{
			"姓名": fmt.Sprintf("焊工%d", i+1), "性别": sex, "申请考试性质": "首次考试", "通信地址": "上海市普陀区真北路1号", "学历": "高中",
			"邮政编码": "200333", "身份证": first + string(residentCheck(first)), "联系电话(手机)": fmt.Sprintf("139%08d", i+1),
			"作业种类": "金属焊", "焊工工龄(年)": "5", "技能考试项目明细": "SMAW-FeⅡ-6G(K)-9/57-Fef3J、SAW-1G(K)-07/08/19",
			"单位类型": "安装、维修", "地区代码": "310107", "是否委托考试机构办理取证手续": "是",
			"工作经历":      "2018.03—2023.06，上海某安装公司，压力管道焊接\n2023.07—2026.06，本单位，锅炉焊接",
			"安全教育和培训情况": "经单位三级安全教育和焊接培训", "相关材料": "是",
		}
	}
	return rows
}

// residentCheck is the GB 11643-1999 check character of 17 digits.
func residentCheck(first17 string) byte {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}
