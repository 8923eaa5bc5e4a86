#!/bin/bash
# Minimal single-node Ceph (1 mon, 1 memstore OSD) + radosgw on 127.0.0.1, all under $D.
set -euo pipefail
D=${D:-/tmp/cephs3/run}
PORT=${PORT:-7480}
rm -rf "$D"; mkdir -p "$D"/{mon,osd,run,log}
FSID=$(cat /proc/sys/kernel/random/uuid)
C=$D/ceph.conf
cat > $C <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:3300
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
mon data = $D/mon/\$cluster-\$id
osd data = $D/osd/\$cluster-\$id
keyring = $D/keyring
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
[client.rgw.a]
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw dns name = localhost
rgw enable usage log = false
CONF
ceph-authtool --create-keyring $D/keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --add a v2:127.0.0.1:3300 --fsid $FSID $D/monmap >/dev/null
ceph-mon -c $C --mkfs -i a --monmap $D/monmap --keyring $D/keyring
ceph-mon -c $C -i a
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
ID=$(ceph -c $C osd new $OSD_UUID)
mkdir -p $D/osd/ceph-$ID
ceph-osd -c $C -i $ID --mkfs --osd-uuid $OSD_UUID 2>>$D/log/mkfs.log
ceph-osd -c $C -i $ID
radosgw-admin -c $C user create --uid=test --display-name=test --access-key=AKIATEST --secret=secrettest >/dev/null
radosgw -c $C -n client.rgw.a
for i in $(seq 1 120); do curl -fs http://127.0.0.1:$PORT/ >/dev/null && { echo "rgw up on $PORT"; exit 0; }; sleep 0.5; done
echo "rgw failed"; exit 1
