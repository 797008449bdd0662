package web

import (
	"net/http"

	"opcert/internal/auth"
)

func (s *Server) adminHomeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin", s.requireRole(auth.RoleAdmin, s.adminHome))
}

// adminLink is one of the admin's pages, as the 系统管理 page lists them.
type adminLink struct{ Path, Title, About string }

// adminPages are the admin's pages, one link each in place of a header
// that no longer fits on one line.
var adminPages = []adminLink{
	{"/admin/accounts", "账号管理", "受理机关工作人员、考试机构工作人员、单位和管理员账号：新建、停用、重置密码"},
	{"/admin/units", "单位注册审核", "核对单位上传的营业执照与统一社会信用代码、单位名称：审核通过或不通过"},
	{"/admin/policy", "政策参数", "复审期限、年龄、考试合格分数、法定期限等，及各自的生效日期"},
	{"/admin/calendar", "工作日历", "导入和核对国务院办公厅公布的节假日安排"},
	{"/admin/organisations", "受理机关和考试机构", "地址、电话、办公时间，考试机构及其考试项目"},
	{"/admin/mappings", "换发对应关系", "确认或更改新旧项目对应关系中尚待确认的条目"},
	{"/admin/duties", "审批分离", "按受理机关设置受理、审核、批准由不同工作人员办理"},
	{"/admin/certificates", "证书撤销注销", "按法定事由撤销或注销证书项目"},
	{"/admin/api-keys", "接口密钥", "开放接口的密钥：签发、限额、用量、吊销"},
	{"/admin/sms-templates", "短信模板", "各类短信通知的内容"},
	{"/officer", "受理工作台", "全市的办件"},
	{"/officer/dashboard", "办件统计", "全市和各受理机关的办件数量、期限和用时"},
}

type adminHomePage struct {
	chrome
	Pages []adminLink
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "admin_home", &adminHomePage{Pages: adminPages})
}
