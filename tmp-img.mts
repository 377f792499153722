import { pauseImage, demoAppImage } from './dev/images/build.ts';
console.log(pauseImage('/root/.cache/clairvoyance/bin/pause-9b57f8df8c684401/pause'));
console.log(await demoAppImage());
