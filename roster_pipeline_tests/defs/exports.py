"""Small district exports written the way an SIS writes them: OneRoster 1.1 with a manifest,
the same district as OneRoster 1.0 (no manifest, 1.0 columns), and helpers to zip a folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from roster_pipeline_tests.conftest import write_batch

MANIFEST_1_1 = """propertyName,value
manifest.version,1.0
oneroster.version,1.1
file.academicSessions,bulk
file.categories,absent
file.classes,bulk
file.classResources,absent
file.courses,bulk
file.courseResources,absent
file.demographics,bulk
file.enrollments,bulk
file.lineItems,absent
file.orgs,bulk
file.resources,absent
file.results,absent
file.users,bulk
source.systemName,PowerSIS
"""

V1_1 = {
    "manifest.csv": MANIFEST_1_1,
    "orgs.csv": (
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "d1,,,Lincoln Unified,district,0601234,\n"
        "s1,,,Lincoln High,school,060123400001,d1\n"
    ),
    "academicSessions.csv": (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,"
        "schoolYear\n"
        "y2026,,,2025-2026,schoolYear,2025-08-15,2026-06-15,,\n"
        "t1,,,Fall 2025,term,2025-08-15,2026-01-10,y2026,\n"
    ),
    "courses.csv": (
        "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
        "orgSourcedId,subjects,subjectCodes\n"
        "crs1,,,y2026,Algebra I,ALG1,09,s1,Mathematics,\n"
        "crs2,,,y2026,World History,WH,10,s1,Social Studies,\n"
    ),
    "classes.csv": (
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
        "cls1,,,Algebra I - P1,09,crs1,ALG1-01,scheduled,Rm 12,s1,t1,Mathematics,,\n"
        "cls2,,,World History - P3,10,crs2,WH-03,scheduled,Rm 7,s1,t1,Social Studies,,\n"
    ),
    "users.csv": (
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
        "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
        "password\n"
        "stu1,,,,s1,student,ana.reyes,ana.reyes,Ana,Reyes,,1001,ana.reyes@lincoln.k12.us,,,"
        "par1,,\n"
        "stu2,,,,s1,student,ben.okafor,ben.okafor,Ben,Okafor,,1002,ben.okafor@lincoln.k12.us"
        ',,,"par2,par3",,\n'
        "tch1,,,,s1,teacher,c.lin,c.lin,Chen,Lin,,T01,c.lin@lincoln.k12.us,,,,,\n"
        "par1,,,,s1,parent,m.reyes,m.reyes,Maria,Reyes,,,m.reyes@example.com,"
        "(415) 555-2671,,,,\n"
        "par2,,,,s1,guardian,j.okafor,j.okafor,James,Okafor,,,,+1 212 555 0100,,,,\n"
        "par3,,,,s1,relative,a.okafor,a.okafor,Ada,Okafor,,,ada.okafor@example.com,,,,,\n"
    ),
    "enrollments.csv": (
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate\n"
        "e1,,,cls1,s1,stu1,student,,,\n"
        "e2,,,cls1,s1,tch1,teacher,true,,\n"
        "e3,,,cls2,s1,stu2,student,,,\n"
        "e4,tobedeleted,2025-09-30T16:20:00.000Z,cls2,s1,stu1,student,,,\n"
    ),
}
"""A small district as its SIS exports OneRoster 1.1 (bulk, manifest, extension-free)."""

V1_0 = {
    "orgs.csv": (
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "d1,active,2025-08-01T08:00:00Z,Lincoln Unified,district,0601234,\n"
        "s1,active,2025-08-01T08:00:00Z,Lincoln High,school,060123400001,d1\n"
    ),
    "academicSessions.csv": (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId\n"
        "y2026,active,2025-08-01T08:00:00Z,2025-2026,schoolYear,2025-08-15,2026-06-15,\n"
        "t1,active,2025-08-01T08:00:00Z,Fall 2025,term,2025-08-15,2026-01-10,y2026\n"
    ),
    "courses.csv": (
        "sourcedId,status,dateLastModified,title,schoolYearId,courseCode,grade,orgSourcedId,"
        "subjects\n"
        "crs1,active,2025-08-01T08:00:00Z,Algebra I,y2026,ALG1,09,s1,Mathematics\n"
        "crs2,active,2025-08-01T08:00:00Z,World History,y2026,WH,10,s1,Social Studies\n"
    ),
    "classes.csv": (
        "sourcedId,status,dateLastModified,title,grade,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedId,subjects\n"
        "cls1,active,2025-08-01T08:00:00Z,Algebra I - P1,09,crs1,ALG1-01,scheduled,Rm 12,s1,t1,"
        "Mathematics\n"
        "cls2,active,2025-08-01T08:00:00Z,World History - P3,10,crs2,WH-03,scheduled,Rm 7,s1,t1,"
        "Social Studies\n"
    ),
    "users.csv": (
        "sourcedId,status,dateLastModified,orgSourcedIds,role,username,userId,givenName,"
        "familyName,identifier,email,sms,phone,agents\n"
        "stu1,active,2025-08-01T08:00:00Z,s1,student,ana.reyes,ana.reyes,Ana,Reyes,1001,"
        "ana.reyes@lincoln.k12.us,,,par1\n"
        "stu2,active,2025-08-01T08:00:00Z,s1,student,ben.okafor,ben.okafor,Ben,Okafor,1002,"
        'ben.okafor@lincoln.k12.us,,,"par2,par3"\n'
        "tch1,active,2025-08-01T08:00:00Z,s1,teacher,c.lin,c.lin,Chen,Lin,T01,"
        "c.lin@lincoln.k12.us,,,\n"
        "par1,active,2025-08-01T08:00:00Z,s1,parent,m.reyes,m.reyes,Maria,Reyes,,"
        "m.reyes@example.com,(415) 555-2671,,\n"
        "par2,active,2025-08-01T08:00:00Z,s1,guardian,j.okafor,j.okafor,James,Okafor,,,"
        "+1 212 555 0100,,\n"
        "par3,active,2025-08-01T08:00:00Z,s1,relative,a.okafor,a.okafor,Ada,Okafor,,"
        "ada.okafor@example.com,,,\n"
    ),
    "enrollments.csv": (
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary\n"
        "e1,active,2025-08-01T08:00:00Z,cls1,s1,stu1,student,\n"
        "e2,active,2025-08-01T08:00:00Z,cls1,s1,tch1,teacher,true\n"
        "e3,active,2025-08-01T08:00:00Z,cls2,s1,stu2,student,\n"
        "e4,inactive,2025-09-30T16:20:00Z,cls2,s1,stu1,student,\n"
    ),
}
"""The same district as an older SIS exports OneRoster 1.0: no manifest, every row with a
status and a date-time, ``userId``, ``agents``, ``termSourcedId``, ``schoolYearId``, ``grade``,
and ``inactive`` for a record that ended."""


def zip_folder(folder: Path, archive: Path, inside: str = "") -> Path:
    """Zip every file of ``folder`` into ``archive`` (at the root, or in folder ``inside``)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(folder.iterdir()):
            handle.write(path, f"{inside}/{path.name}" if inside else path.name)
    return archive


def district_1_1(folder: Path) -> Path:
    """The 1.1 export written to ``folder``."""
    return write_batch(folder, V1_1)
