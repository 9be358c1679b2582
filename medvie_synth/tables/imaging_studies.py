"""Imaging studies: normal report sentences and abnormal findings, in English and Chinese.

An abnormal finding replaces the normal sentence at ``replaces``. Placeholders ``{a}``, ``{b}``
(lesion size in mm, a >= b) and ``{c}`` (a small measurement in mm) are filled per document.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

Text = tuple[str, str]  # (en, zh)


@dataclass(frozen=True)
class Finding:
    replaces: int
    description: Text
    impression: Text
    advice: Text | None = None


@dataclass(frozen=True)
class Study:
    key: str
    modality: str  # CT, MRI, US, DR
    names: tuple[Text, ...]
    site: Text
    normal: tuple[Text, ...]
    normal_impression: Text
    findings: tuple[Finding, ...]


STUDIES: tuple[Study, ...] = (
    Study(
        "chest-ct", "CT", (("CT Chest without contrast", "胸部CT平扫"), ("Chest CT", "胸部CT")),
        ("Chest", "胸部"),
        (("Both lungs show clear markings with a normal course.", "双肺纹理清晰，走行自然。"),
         ("No focal consolidation, mass or nodule is seen in either lung.",
          "双肺野内未见明确实变、肿块及结节影。"),
         ("The trachea and main bronchi are patent.", "气管及各叶段支气管通畅。"),
         ("No enlarged mediastinal or hilar lymph nodes are seen.", "纵隔及双肺门未见肿大淋巴结。"),
         ("The heart is normal in size and shape.", "心脏大小、形态未见异常。"),
         ("There is no pleural effusion or pleural thickening.", "双侧胸腔未见积液，胸膜未见增厚。")),
        ("No active disease in the chest.", "胸部CT平扫未见明显异常。"),
        (Finding(1, ("A ground-glass nodule measuring {a} x {b} mm with well-defined margins is "
                     "seen in the apical segment of the right upper lobe.",
                     "右肺上叶尖段见一磨玻璃结节，大小约{a}mm×{b}mm，边界清楚。"),
                 ("Ground-glass nodule in the right upper lobe.", "右肺上叶磨玻璃结节。"),
                 ("Follow-up chest CT in 6 to 12 months is recommended.",
                  "建议6-12个月后复查胸部CT。")),
         Finding(1, ("Patchy consolidation with air bronchograms is seen in the left lower lobe.",
                     "左肺下叶见斑片状实变影，内见支气管充气征。"),
                 ("Left lower lobe pneumonia.", "左肺下叶肺炎。"),
                 ("Repeat imaging after anti-infective treatment.", "建议抗感染治疗后复查。")),
         Finding(5, ("A small right pleural effusion is present.", "右侧胸腔见少量积液。"),
                 ("Small right pleural effusion.", "右侧少量胸腔积液。")),
         Finding(0, ("Scattered linear opacities are seen in both lower lobes.",
                     "双肺下叶见散在条索影。"),
                 ("Chronic fibrotic changes in both lower lobes.", "双肺下叶慢性纤维灶。")))),
    Study(
        "abdomen-us", "US", (("Abdominal Ultrasound", "腹部彩超"),
                             ("Ultrasound of Liver, Gallbladder, Pancreas and Spleen", "肝胆胰脾彩超")),
        ("Liver, gallbladder, pancreas, spleen", "肝、胆、胰、脾"),
        (("The liver is normal in size with a smooth capsule and homogeneous echotexture.",
          "肝脏大小形态正常，包膜光滑，实质回声均匀。"),
         ("The intrahepatic bile ducts are not dilated.", "肝内胆管未见扩张。"),
         ("The gallbladder is normal in size with a smooth wall and no intraluminal echoes.",
          "胆囊大小正常，壁光滑，囊内未见异常回声。"),
         ("The pancreas is normal in size and echogenicity.", "胰腺大小形态正常，回声均匀。"),
         ("The spleen is normal in size and echotexture.", "脾脏大小形态正常，实质回声均匀。")),
        ("No abnormality of the liver, gallbladder, pancreas or spleen.", "肝、胆、胰、脾未见明显异常。"),
        (Finding(0, ("The liver is mildly enlarged with densely increased echoes in the near field "
                     "and attenuation in the far field.",
                     "肝脏体积稍大，近场回声细密增强，远场回声衰减。"),
                 ("Fatty liver.", "脂肪肝。"),
                 ("A low-fat diet and regular exercise are advised.", "建议低脂饮食，适当运动。")),
         Finding(2, ("An echogenic focus of {a} mm with posterior acoustic shadowing is seen in "
                     "the gallbladder, moving with posture.",
                     "胆囊内见一强回声团，大小约{a}mm，后伴声影，随体位改变移动。"),
                 ("Gallstone.", "胆囊结石。"),
                 ("Hepatobiliary surgery consultation is advised.", "建议肝胆外科就诊。")),
         Finding(1, ("A thin-walled anechoic lesion of {a} x {b} mm is seen in the right lobe of "
                     "the liver.", "肝右叶见一无回声区，大小约{a}mm×{b}mm，壁薄，边界清。"),
                 ("Hepatic cyst.", "肝囊肿。")),
         Finding(2, ("The gallbladder wall is thickened and rough, about {c} mm.",
                     "胆囊壁增厚毛糙，厚约{c}mm。"),
                 ("Cholecystitis.", "胆囊炎。")))),
    Study(
        "head-mri", "MRI", (("MRI Brain without contrast", "头颅MRI平扫"),
                            ("Brain MRI", "颅脑磁共振平扫")),
        ("Head", "头颅"),
        (("The cerebral hemispheres are symmetric with clear grey-white matter differentiation.",
          "双侧大脑半球对称，灰白质分界清楚。"),
         ("No abnormal signal is seen in the brain parenchyma.", "脑实质内未见异常信号影。"),
         ("The ventricles are normal in size and the midline structures are central.",
          "脑室系统大小形态正常，中线结构居中。"),
         ("The sulci and cisterns are not widened.", "脑沟、脑池未见增宽。"),
         ("Diffusion-weighted images show no restricted diffusion.", "DWI未见明显高信号。")),
        ("No abnormality of the brain on MRI.", "头颅MRI平扫未见明显异常。"),
        (Finding(1, ("Several punctate long-T1 long-T2 signals are seen in the bilateral basal "
                     "ganglia, the largest about {c} mm.",
                     "双侧基底节区见多发点状长T1长T2信号影，较大者直径约{c}mm。"),
                 ("Multiple lacunar infarcts in the bilateral basal ganglia.",
                  "双侧基底节区多发腔隙性脑梗死。")),
         Finding(4, ("A patchy area of restricted diffusion is seen in the left corona radiata.",
                     "左侧放射冠区见片状DWI高信号影。"),
                 ("Acute infarct in the left corona radiata.", "左侧放射冠区急性脑梗死。"),
                 ("Neurology consultation is recommended.", "建议神经内科进一步诊治。")),
         Finding(3, ("The sulci are widened and the lateral ventricles are mildly enlarged.",
                     "脑沟增宽，双侧侧脑室稍扩大。"),
                 ("Mild brain atrophy.", "轻度脑萎缩。")),
         Finding(1, ("Patchy T2 FLAIR hyperintensities are seen in the periventricular white matter.",
                     "双侧侧脑室旁白质见斑片状T2 FLAIR高信号。"),
                 ("White matter degeneration, Fazekas grade 1.", "脑白质变性（Fazekas 1级）。")))),
    Study(
        "thyroid-us", "US", (("Thyroid Ultrasound", "甲状腺彩超"),
                             ("Ultrasound of the Thyroid", "甲状腺及颈部淋巴结彩超")),
        ("Thyroid", "甲状腺"),
        (("The thyroid gland is normal in size and shape.", "甲状腺大小形态正常。"),
         ("The parenchymal echotexture is homogeneous.", "腺体实质回声均匀。"),
         ("No focal lesion is seen in either lobe.", "双侧叶内未见明显占位性病变。"),
         ("Color Doppler shows normal vascularity.", "CDFI：腺体内血流信号未见异常。"),
         ("No enlarged cervical lymph nodes are seen.", "双侧颈部未见明显肿大淋巴结。")),
        ("No abnormality of the thyroid.", "甲状腺未见明显异常。"),
        (Finding(2, ("A well-defined hypoechoic nodule of {a} x {b} mm is seen in the right lobe.",
                     "甲状腺右叶见一低回声结节，大小约{a}mm×{b}mm，边界清。"),
                 ("Right thyroid nodule, TI-RADS 3.", "甲状腺右叶结节，TI-RADS 3类。"),
                 ("Follow-up ultrasound in 6 months.", "建议6个月后复查。")),
         Finding(1, ("The echotexture is coarse and heterogeneous with a reticular pattern.",
                     "腺体回声增粗，分布不均，呈网格样改变。"),
                 ("Diffuse thyroid disease, likely Hashimoto thyroiditis.",
                  "甲状腺弥漫性病变（桥本甲状腺炎可能）。"),
                 ("Thyroid function tests are recommended.", "建议查甲状腺功能。")),
         Finding(2, ("A hypoechoic nodule of {a} x {b} mm with irregular margins and "
                     "microcalcifications is seen in the left lobe.",
                     "甲状腺左叶见一低回声结节，大小约{a}mm×{b}mm，边界不清，内见微钙化。"),
                 ("Left thyroid nodule, TI-RADS 4b.", "甲状腺左叶结节，TI-RADS 4b类。"),
                 ("Fine-needle aspiration is recommended.", "建议行细针穿刺活检。")))),
    Study(
        "lumbar-ct", "CT", (("CT Lumbar Spine", "腰椎CT平扫"), ("Lumbar Spine CT", "腰椎间盘CT")),
        ("Lumbar spine", "腰椎"),
        (("The lumbar lordosis is preserved and vertebral alignment is normal.",
          "腰椎生理曲度存在，椎体序列正常。"),
         ("The vertebral bodies are normal in height and density.", "各椎体形态、密度未见异常。"),
         ("The intervertebral discs show no bulge or herniation.", "各椎间盘未见明显膨出或突出。"),
         ("The spinal canal is not narrowed.", "椎管未见狭窄。"),
         ("The paravertebral soft tissues are normal.", "椎旁软组织未见异常。")),
        ("No abnormality of the lumbar spine.", "腰椎CT平扫未见明显异常。"),
        (Finding(2, ("The L4/5 disc protrudes posteriorly by about {c} mm, compressing the dural "
                     "sac.", "L4/5椎间盘向后突出约{c}mm，硬膜囊受压。"),
                 ("L4/5 disc herniation.", "L4/5椎间盘突出。"),
                 ("Orthopedic consultation is advised.", "建议骨科就诊。")),
         Finding(1, ("Osteophytes are seen at the margins of several vertebral bodies.",
                     "多个椎体边缘见骨质增生。"),
                 ("Degenerative changes of the lumbar spine.", "腰椎退行性变。")),
         Finding(2, ("The L5/S1 disc bulges diffusely beyond the vertebral margins.",
                     "L5/S1椎间盘向周围均匀膨出。"),
                 ("L5/S1 disc bulge.", "L5/S1椎间盘膨出。")))),
    Study(
        "chest-dr", "DR", (("Chest X-ray PA", "胸部正位片"), ("Chest Radiograph", "DR胸部正位")),
        ("Chest", "胸部"),
        (("Both lung fields are clear.", "双肺野清晰。"),
         ("The lung markings are normal.", "肺纹理走行自然。"),
         ("Both hila are not enlarged.", "双肺门不大。"),
         ("The cardiac silhouette is normal in size.", "心影大小形态正常。"),
         ("Both costophrenic angles are sharp.", "双侧肋膈角锐利。")),
        ("No acute cardiopulmonary abnormality.", "心肺膈未见明显异常。"),
        (Finding(0, ("Patchy opacities are seen in the right middle and lower zones.",
                     "右中下肺野见斑片状模糊影。"),
                 ("Right lower lung infection.", "右下肺感染。"),
                 ("Repeat radiograph after treatment.", "建议治疗后复查。")),
         Finding(1, ("The lung markings are increased and coarse bilaterally.",
                     "双肺纹理增多、增粗。"),
                 ("Bronchitic changes.", "支气管炎改变。")),
         Finding(3, ("The cardiac silhouette is enlarged with a cardiothoracic ratio of 0.{r}.",
                     "心影增大，心胸比约0.{r}。"),
                 ("Cardiomegaly.", "心影增大。")))),
)


def fill(text: str, rng: random.Random) -> str:
    a = rng.randint(5, 35)
    return text.format(a=a, b=rng.randint(3, a), c=rng.randint(3, 9), r=rng.randint(55, 68))
