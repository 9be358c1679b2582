"""Printed labels and fixed phrases, per language: ``{id: (en variants, zh variants)}``."""

from __future__ import annotations

import random

LABELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # schema fields
    "Name": (("Name", "Patient Name", "Patient"), ("姓名", "姓 名", "患者姓名")),
    "Gender": (("Sex", "Gender"), ("性别", "性 别")),
    "Age": (("Age",), ("年龄", "年 龄")),
    "Department": (("Department", "Dept", "Ward/Dept", "Requesting Dept"),
                   ("科别", "科室", "申请科室", "送检科室")),
    "Examination Name": (("Test", "Examination", "Test Panel", "Exam"),
                         ("检验项目", "检查项目", "项目名称")),
    "Examination Time": (("Test Date", "Tested", "Exam Date", "Date of Exam"),
                         ("检验时间", "检查时间", "检查日期", "检验日期")),
    "Sample Collection Time": (("Collected", "Collection Time", "Specimen Collected"),
                               ("采样时间", "采集时间", "采样日期")),
    "Diagnosis": (("Clinical Diagnosis", "Diagnosis", "Clinical Info"), ("临床诊断", "诊断")),
    "Examination Site": (("Site", "Body Part", "Exam Site", "Region"),
                         ("检查部位", "部位", "检查部位")),
    # distractors
    "MRN": (("MRN", "Patient ID", "Record No."), ("病历号", "门诊号", "住院号", "ID号")),
    "Bed": (("Bed", "Bed No."), ("床号", "床 号")),
    "Specimen": (("Specimen", "Sample Type"), ("标本类型", "标本种类", "样本类型")),
    "Requested By": (("Ordering Physician", "Requested By", "Referring Doctor"),
                     ("送检医生", "申请医生", "开单医生")),
    "Barcode": (("Accession No.", "Sample No.", "Lab No."), ("条码号", "标本号", "样本号")),
    "Received": (("Received", "Receipt Time"), ("接收时间", "签收时间")),
    "Reported": (("Reported", "Report Time", "Report Date"), ("报告时间", "报告日期")),
    "Performed By": (("Performed by", "Technologist", "Tested by"), ("检验者", "检验医师", "检验人")),
    "Verified By": (("Verified by", "Authorised by", "Reviewed by"), ("审核者", "审核医师", "审核人")),
    "Physician": (("Physician", "Prescriber", "Doctor"), ("医师", "医生", "处方医师")),
    "Reporter": (("Reported by", "Radiologist", "Reporting Doctor"), ("报告医师", "诊断医师", "报告医生")),
    "Fee Type": (("Payer", "Coverage"), ("费别", "费 别")),
    "Phone": (("Phone", "Tel"), ("电话", "联系电话")),
    "Sample State": (("Specimen Condition",), ("标本状态", "样本状态")),
    "Exam No.": (("Exam No.", "Study ID"), ("检查号", "影像号")),
    "Equipment": (("Equipment", "Scanner"), ("检查设备", "设备")),
    "Pathology No.": (("Pathology No.", "Case No.", "Accession #"), ("病理号", "病理编号")),
    "Date": (("Date",), ("日期", "开具日期")),
    "Pharmacist": (("Pharmacist", "Dispensed by", "Checked by"), ("审核药师", "调配", "核对", "发药")),
}

PHRASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lab_title": (("Laboratory Report", "LABORATORY REPORT", "Clinical Laboratory Report",
                   "Test Results"), ("检验报告单", "检验报告", "临床检验报告单")),
    "imaging_title": (("Diagnostic Imaging Report", "Radiology Report", "IMAGING REPORT"),
                      ("影像诊断报告单", "医学影像检查报告", "影像检查报告单")),
    "ultrasound_title": (("Ultrasound Report", "Sonography Report"),
                         ("超声检查报告单", "彩色多普勒超声报告")),
    "pathology_title": (("Surgical Pathology Report", "Pathology Report", "Histopathology Report"),
                        ("病理诊断报告书", "病理检查报告单", "组织病理学诊断报告")),
    "prescription_title": (("Prescription", "PRESCRIPTION", "Outpatient Prescription"),
                           ("处方笺", "门诊处方", "处 方 笺")),
    "lab_note": (("Results relate only to the specimen tested.",
                  "Please consult your physician for interpretation of these results.",
                  "Abnormal results are flagged. Reference ranges are for adults."),
                 ("本报告仅对所检测标本负责。", "如对结果有疑问，请在报告发出后七日内联系检验科。",
                  "本结果仅供临床参考。")),
    "imaging_note": (("This report is for clinical reference only.",
                      "Images are available on the hospital PACS."),
                     ("本报告仅供临床参考。", "此报告需经医师签字后生效。")),
    "watermark": (("CONFIDENTIAL", "COPY", "FOR CLINICAL USE ONLY"),
                  ("仅供临床参考", "电子报告", "复印无效")),
    "description_heading": (("Findings", "FINDINGS", "Description", "Examination Findings"),
                            ("检查所见", "影像所见", "超声所见", "检查描述")),
    "diagnosis_heading": (("Impression", "IMPRESSION", "Conclusion", "Diagnosis"),
                          ("诊断意见", "检查结论", "印象", "诊断")),
    "recommendation_heading": (("Recommendation", "Advice", "Plan"), ("建议", "处理建议", "医嘱")),
    "pathology_description_heading": (("Gross and Microscopic Description", "Description",
                                       "Microscopic Findings"),
                                      ("病理所见", "大体及镜下所见", "镜下所见")),
    "pathology_diagnosis_heading": (("Final Diagnosis", "Pathological Diagnosis", "DIAGNOSIS"),
                                    ("病理诊断", "病理诊断意见")),
    "specimen": (("Specimen", "Specimen Site", "Source"), ("送检标本", "取材部位", "标本部位")),
    "signature": (("Signature", "Signed"), ("签名", "签章")),
    "rp": (("Rx", "Rp:"), ("Rp:", "R:")),
    "amount": (("Amount", "Total Fee"), ("金额", "药费")),
    "fee_types": (("Self-pay", "Insurance", "Medicare"), ("自费", "医保", "公费", "新农合")),
    "usage": (("Sig:", "Directions:", "Use:"), ("用法：", "用法用量：", "Sig:")),
    "quantity": (("Qty:", "Disp:", "x"), ("数量：", "×", "共")),
    "prescription_type": (("Regular", "Outpatient"), ("普通", "门诊")),
}


def label(rng: random.Random, language: str, key: str) -> str:
    en, zh = LABELS[key]
    return rng.choice(zh if language == "zh" else en)


def phrase(rng: random.Random, language: str, key: str) -> str:
    en, zh = PHRASES[key]
    return rng.choice(zh if language == "zh" else en)
